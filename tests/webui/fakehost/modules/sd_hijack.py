"""`model_hijack` as the host keeps it (v1.10.1 modules/sd_hijack.py; own code): comments that txt2img
turns into p comments, extra infotext params ("TI hashes"), the embedding database, and `hijack()`,
which wraps the model's text encoder in the custom-words CLIP (modules/sd_hijack_clip.py)."""


class EmbeddingDatabase:
    def __init__(self):
        self.word_embeddings = {}    # name -> Embedding

    def register(self, embedding):
        self.word_embeddings[embedding.name] = embedding


class Embedding:
    """A textual-inversion embedding: `vec` [n_vectors, dim] fills n placeholder tokens."""

    def __init__(self, vec, name, shorthash):
        self.vec, self.name, self.shorthash = vec, name, shorthash


class StableDiffusionModelHijack:
    def __init__(self):
        self.comments = []
        self.extra_generation_params = {}
        self.embedding_db = EmbeddingDatabase()

    def hijack(self, m):
        from modules.sd_hijack_clip import FrozenCLIPEmbedderWithCustomWords

        m.cond_stage_model = FrozenCLIPEmbedderWithCustomWords(m.cond_stage_model, self)

    def undo_hijack(self, m):
        m.cond_stage_model = m.cond_stage_model.wrapped

    def clear_comments(self):
        self.comments = []
        self.extra_generation_params = {}


model_hijack = StableDiffusionModelHijack()
