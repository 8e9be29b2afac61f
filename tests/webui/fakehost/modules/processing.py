"""modules/processing.py: `StableDiffusionProcessing` and a txt2img with the host's order (own code).

`process_images_inner` follows v1.10.1: clear the hijack comments, parse the extra networks of the
positive prompts (the negative prompts are never parsed), activate them, build the conditionings
(with `prompt_parser` schedules), sample, and deactivate only when the data is non-empty; the
infotext is `create_infotext`'s.  Sampling is a seeded DDIM with CFG on `apply_model`, a stand-in
for the host's samplers: the tests compare it with itself (before / after a drag), bit for bit.
"""
import json

import torch

from modules import extra_networks, prompt_parser, sd_hijack, sd_vae, shared


class StableDiffusionProcessing:
    def __init__(self, sd_model=None, prompt="", negative_prompt="", seed=-1, steps=50, cfg_scale=7.0,
                 width=512, height=512, sampler_name="DDIM", override_settings=None, do_not_save_samples=False,
                 **kwargs):
        self.prompt, self.negative_prompt = prompt, negative_prompt
        self.seed, self.steps, self.cfg_scale = seed, steps, cfg_scale
        self.width, self.height, self.sampler_name = width, height, sampler_name
        self.override_settings = dict(override_settings or {})
        self.all_prompts = self.all_negative_prompts = self.prompts = self.negative_prompts = None
        self.seeds, self.subseeds = [], []
        self.iteration = 0
        self.scripts = None
        self.extra_generation_params = {}
        self.extra_network_data = {}
        self.disable_extra_networks = False
        self.comments = {}

    @property
    def sd_model(self):
        return shared.sd_model

    def comment(self, text):
        self.comments[text] = 1

    def parse_extra_network_prompts(self):
        self.prompts, self.extra_network_data = extra_networks.parse_prompts(self.prompts)


class StableDiffusionProcessingTxt2Img(StableDiffusionProcessing):
    pass


class Processed:
    def __init__(self, p, images, info, latent):
        self.images, self.info, self.latent = images, info, latent
        self.prompt, self.negative_prompt, self.seed = p.prompt, p.negative_prompt, p.seed
        self.comments = "".join(f"{c}\n" for c in p.comments)


def process_images(p):
    stored = {k: getattr(shared.opts, k) for k in p.override_settings}
    try:
        for k, v in p.override_settings.items():
            shared.opts.data[k] = v
        return process_images_inner(p)
    finally:
        for k, v in stored.items():
            shared.opts.data[k] = v


def _ddim(model, z, c, uc, steps, cfg):
    ac = model.alphas_cumprod.double()
    ts = list(range(0, 1000, 1000 // steps))[::-1]
    for j, t in enumerate(ts):
        a_t = ac[t]
        a_prev = ac[ts[j + 1]] if j + 1 < len(ts) else ac[0]
        tt = torch.tensor([t])
        e_c = model.apply_model(z, tt, c)
        e_u = model.apply_model(z, tt, uc)
        eps = (e_u + cfg * (e_c - e_u)).double()
        x0 = (z.double() - (1 - a_t).sqrt() * eps) / a_t.sqrt()
        z = (a_prev.sqrt() * x0 + (1 - a_prev).sqrt() * eps).float()
    return z


def process_images_inner(p):
    sd_hijack.model_hijack.clear_comments()
    p.all_prompts, p.all_negative_prompts = [p.prompt], [p.negative_prompt]
    p.prompts, p.negative_prompts = list(p.all_prompts), list(p.all_negative_prompts)
    p.seeds = [p.seed]
    p.sd_model_hash = getattr(shared.sd_model, "sd_model_hash", None)
    info = getattr(shared.sd_model, "sd_checkpoint_info", None)
    p.sd_model_name = getattr(info, "name_for_extra", None)
    p.parse_extra_network_prompts()
    model = shared.sd_model
    with torch.no_grad():
        if not p.disable_extra_networks:
            extra_networks.activate(p, p.extra_network_data)
        # the host caches by schedule; one step's text per prompt is enough for the fake's sampler
        c_text = prompt_parser.get_learned_conditioning_prompt_schedules(p.prompts, p.steps)[0][-1][1]
        uc_text = prompt_parser.get_learned_conditioning_prompt_schedules(p.negative_prompts, p.steps)[0][-1][1]
        c = model.get_learned_conditioning([c_text])
        uc = model.get_learned_conditioning([uc_text])
        p.extra_generation_params.update(sd_hijack.model_hijack.extra_generation_params)
        g = torch.Generator().manual_seed(int(p.seed))
        z = torch.randn(1, 4, p.height // 8, p.width // 8, generator=g)
        z = _ddim(model, z, c, uc, p.steps, p.cfg_scale)
        x = model.decode_first_stage(z)
    if p.extra_network_data:
        extra_networks.deactivate(p, p.extra_network_data)
    from PIL import Image
    import numpy as np
    arr = ((x[0].clamp(-1, 1) + 1) * 127.5).round().byte().permute(1, 2, 0).numpy()
    image = Image.fromarray(np.ascontiguousarray(arr))
    text = create_infotext(p)
    image.info["parameters"] = text
    return Processed(p, [image], text, z)


def _quote(v):
    v = str(v)
    return json.dumps(v, ensure_ascii=False) if ("," in v or ":" in v or "\n" in v) else v


def create_infotext(p):
    clip_skip = int(getattr(p, "clip_skip", shared.opts.CLIP_stop_at_last_layers))
    pairs = {"Steps": p.steps, "Sampler": p.sampler_name, "CFG scale": float(p.cfg_scale), "Seed": p.seed,
             "Size": f"{p.width}x{p.height}", "Model hash": p.sd_model_hash, "Model": p.sd_model_name,
             "VAE hash": sd_vae.get_loaded_vae_hash(), "VAE": sd_vae.get_loaded_vae_name(),
             "Clip skip": None if clip_skip <= 1 else clip_skip}
    pairs.update(p.extra_generation_params)
    pairs["Version"] = "v1.10.1"
    line = ", ".join(f"{k}: {_quote(v)}" for k, v in pairs.items() if v is not None)
    neg = f"\nNegative prompt: {p.negative_prompt}" if p.negative_prompt else ""
    return f"{p.all_prompts[0]}{neg}\n{line}"
