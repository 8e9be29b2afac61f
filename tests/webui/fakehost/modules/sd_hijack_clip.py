"""modules/sd_hijack_clip.py stand-in (own code): the text encoder the WebUI puts in front of CLIP.

Like the host's `FrozenCLIPEmbedderWithCustomWords` it parses emphasis (`prompt_parser.parse_prompt_attention`,
"Original" emphasis: multiply, then restore the mean), splits into 75-token chunks of 77 (BREAK starts a
chunk; the batch is as long as its longest prompt), fills textual-inversion words from
`model_hijack.embedding_db` (and sets "TI hashes"), and reads `opts.CLIP_stop_at_last_layers` live.
The "CLIP" here is the tiny model's HashTextEncoder: a word is one token, and clip skip N > 1 stands
in for hidden_states[-N] by scaling the position term by 1/N.  Tags and brackets it is given are text.
"""
import torch

from modules import prompt_parser, shared

CHUNK = 75


class FrozenCLIPEmbedderWithCustomWords(torch.nn.Module):
    def __init__(self, wrapped, hijack):
        super().__init__()
        self.wrapped = wrapped
        self.hijack = hijack

    def _word_ids(self, text):
        return [self.wrapped.tokens(w)[0] for w in text.lower().replace(",", " ").split()]

    def tokenize_line(self, line):
        """-> chunks of (ids, multipliers, {position: embedding vectors}), 77 long each."""
        chunks, ids, mults, fixes, used = [], [], [], {}, []

        def close():
            nonlocal ids, mults, fixes
            pad = CHUNK - len(ids)
            chunks.append(([0] + ids + [0] * (pad + 1), [1.0] + mults + [1.0] * (pad + 1), fixes))
            ids, mults, fixes = [], [], {}

        for text, weight in prompt_parser.parse_prompt_attention(line):
            if weight == -1:                           # BREAK
                close()
                continue
            for word in text.lower().replace(",", " ").split():
                emb = self.hijack.embedding_db.word_embeddings.get(word)
                n = emb.vec.shape[0] if emb is not None else 1
                if len(ids) + n > CHUNK:
                    close()
                if emb is not None:
                    fixes[1 + len(ids)] = emb.vec
                    used.append(emb)
                    ids += [0] * n
                else:
                    ids += self._word_ids(word)
                mults += [weight] * n
        if ids or not chunks:
            close()
        return chunks, used

    def forward(self, texts):
        batch, used = [], []
        for text in texts:
            chunks, u = self.tokenize_line(text)
            batch.append(chunks)
            used += u
        if used:
            names = dict.fromkeys(f"{e.name}: {e.shorthash}" for e in used)
            self.hijack.extra_generation_params["TI hashes"] = ", ".join(names)
        longest = max(len(c) for c in batch)
        empty = ([0] * (CHUNK + 2), [1.0] * (CHUNK + 2), {})
        zs = []
        for k in range(longest):
            rows = [c[k] if k < len(c) else empty for c in batch]
            zs.append(self.process_tokens(rows))
        return torch.cat(zs, dim=1)

    def process_tokens(self, rows):
        enc = self.wrapped
        ids = torch.tensor([r[0] for r in rows], device=enc.position.device)
        z = enc.embedding(ids)
        for b, (_, _, fixes) in enumerate(rows):
            for pos, vec in fixes.items():
                z[b, pos:pos + vec.shape[0]] = vec.to(z)
        skip = max(1, int(shared.opts.CLIP_stop_at_last_layers))
        z = z + enc.position / skip
        mults = torch.tensor([r[1] for r in rows], device=z.device, dtype=z.dtype)
        original_mean = z.mean()
        z = z * mults[..., None]
        return z * (original_mean / z.mean())
