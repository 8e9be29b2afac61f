"""modules/prompt_parser.py behaviour the drag relies on (own code; see host notes, all OBSERVED there).

* `get_learned_conditioning_prompt_schedules(prompts, base_steps)`: per prompt `[[end_at_step, text], ...]`
  for prompt editing `[a:b:when]`, `[a:when]` (added after), `[a::when]` (removed after) and
  alternation `[a|b]` (a new text every step).  `when` with a '.' is a fraction of the steps.
  Brackets that are neither stay as text (emphasis `[word]`).  No hires steps, no old scheduling.
* `parse_prompt_attention(text)`: emphasis `(x)` x1.1, `[x]` /1.1, `(x:1.3)`, escapes, and BREAK
  as `["BREAK", -1]`, as `sd_hijack_clip` consumes it.
* `get_learned_conditioning(model, prompts, steps)`: per prompt a list of
  `ScheduledPromptConditioning(end_at_step, cond)`, cond without the batch dimension.
"""
import re
from collections import namedtuple

ScheduledPromptConditioning = namedtuple("ScheduledPromptConditioning", ["end_at_step", "cond"])
_NUMBER = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$")


class SdConditioning(list):
    """A list of prompts that also carries the negative flag and the size (SDXL)."""

    def __init__(self, prompts, is_negative_prompt=False, width=None, height=None, copy_from=None):
        super().__init__()
        self.extend(prompts)
        if copy_from is None:
            copy_from = prompts
        self.is_negative_prompt = is_negative_prompt or getattr(copy_from, "is_negative_prompt", False)
        self.width = width or getattr(copy_from, "width", None)
        self.height = height or getattr(copy_from, "height", None)


# -- prompt editing / alternation -----------------------------------------------------------------
def _parse(text, i, stops):
    """Nodes until a char of `stops` (at this depth) or the end: (nodes, index of the stop)."""
    nodes, buf = [], []
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            buf.append(text[i:i + 2])
            i += 2
            continue
        if ch in stops:
            break
        if ch == "[":
            if buf:
                nodes.append("".join(buf))
                buf = []
            node, i = _parse_bracket(text, i + 1)
            nodes.append(node)
            continue
        buf.append(ch)
        i += 1
    if buf:
        nodes.append("".join(buf))
    return nodes, i


def _parse_bracket(text, i):
    parts, seps = [], []
    while True:
        nodes, i = _parse(text, i, ":|]")
        parts.append(nodes)
        if i >= len(text):                       # unclosed: literal text
            return ("literal", "[", parts, seps, ""), i
        ch = text[i]
        i += 1
        if ch == "]":
            break
        seps.append(ch)
    if seps and all(s == "|" for s in seps):
        return ("alt", parts), i
    if seps and all(s == ":" for s in seps) and len(parts) in (2, 3):
        when = _flat(parts[-1])
        if _NUMBER.match(when) and (len(parts) == 3 or parts[0]):
            before, after = (parts[0], parts[1]) if len(parts) == 3 else ([], parts[0])
            return ("sched", before, after, when.strip()), i
    return ("literal", "[", parts, seps, "]"), i


def _flat(nodes):
    return "".join(n if isinstance(n, str) else _text(n, None) for n in nodes)


def _text(node, step):
    """The text of a node at `step` (None: the literal source text)."""
    if isinstance(node, str):
        return node
    kind = node[0]
    if kind == "literal":
        _, open_, parts, seps, close = node
        out = open_
        for j, part in enumerate(parts):
            out += "".join(_text(n, step) for n in part)
            if j < len(seps):
                out += seps[j]
        return out + close
    if kind == "alt":
        part = node[1][(step - 1) % len(node[1])]
        return "".join(_text(n, step) for n in part)
    _, before, after, _when, end = node
    return "".join(_text(n, step) for n in (before if step <= end else after))


def _resolve_when(nodes, steps):
    """Replace each sched node's `when` text by its step number; collect the switch steps."""
    switches = set()

    def walk(ns):
        out = []
        for n in ns:
            if isinstance(n, str):
                out.append(n)
            elif n[0] == "literal":
                out.append(("literal", n[1], [walk(p) for p in n[2]], n[3], n[4]))
            elif n[0] == "alt":
                switches.update(range(1, steps + 1))
                out.append(("alt", [walk(p) for p in n[1]]))
            else:
                v = float(n[3])
                v = v * steps if "." in n[3] else v
                v = min(steps, int(v))
                if v > 0:
                    switches.add(v)
                out.append(("sched", walk(n[1]), walk(n[2]), n[3], v))
        return out

    return walk(nodes), switches


def get_learned_conditioning_prompt_schedules(prompts, base_steps, hires_steps=None, use_old_scheduling=False):
    res = []
    for prompt in prompts:
        nodes, _ = _parse(prompt, 0, "")
        nodes, switches = _resolve_when(nodes, base_steps)
        switches.add(base_steps)
        res.append([[s, "".join(_text(n, s) for n in nodes)] for s in sorted(switches)])
    return res


def get_learned_conditioning(model, prompts, steps, hires_steps=None, use_old_scheduling=False):
    res, cache = [], {}
    for prompt, schedule in zip(prompts, get_learned_conditioning_prompt_schedules(prompts, steps)):
        if prompt in cache:
            res.append(cache[prompt])
            continue
        texts = SdConditioning([x[1] for x in schedule], copy_from=prompts)
        conds = model.get_learned_conditioning(texts)
        cache[prompt] = [ScheduledPromptConditioning(end, conds[i]) for i, (end, _) in enumerate(schedule)]
        res.append(cache[prompt])
    return res


# -- emphasis ----------------------------------------------------------------------------------
_ATTENTION = re.compile(r"\\\(|\\\)|\\\[|\\]|\\\\|\\|\(|\[|:\s*([+-]?[.\d]+)\s*\)|\)|]|[^\\()\[\]:]+|:", re.X)
_BREAK = re.compile(r"\s*\bBREAK\b\s*", re.S)


def parse_prompt_attention(text):
    res, round_open, square_open = [], [], []

    def scale(start, factor):
        for p in range(start, len(res)):
            res[p][1] *= factor

    for m in _ATTENTION.finditer(text):
        tok, weight = m.group(0), m.group(1)
        if tok.startswith("\\"):
            res.append([tok[1:], 1.0])
        elif tok == "(":
            round_open.append(len(res))
        elif tok == "[":
            square_open.append(len(res))
        elif weight is not None and round_open:
            scale(round_open.pop(), float(weight))
        elif tok == ")" and round_open:
            scale(round_open.pop(), 1.1)
        elif tok == "]" and square_open:
            scale(square_open.pop(), 1 / 1.1)
        else:
            for j, part in enumerate(_BREAK.split(tok)):
                if j > 0:
                    res.append(["BREAK", -1])
                res.append([part, 1.0])
    for pos in round_open:
        scale(pos, 1.1)
    for pos in square_open:
        scale(pos, 1 / 1.1)
    if not res:
        res = [["", 1.0]]
    merged = [res[0]]
    for item in res[1:]:
        if item[1] == merged[-1][1] and item[1] != -1:
            merged[-1][0] += item[0]
        else:
            merged.append(item)
    return merged
