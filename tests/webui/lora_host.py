"""A fake WebUI host with the Lora built-in, the hijacked CLIP, an embedding and two checkpoints.

The tiny model of these tests is its own instance (the session's `tiny_model` stays untouched):
its text encoder is wrapped like the WebUI's, its layers carry Lora names, and it is loaded
through `sd_models` like a checkpoint.
"""
import sys
import types
from pathlib import Path

import torch

LORA_DIR = Path(__file__).resolve().parent / "fakehost" / "extensions-builtin" / "Lora"
SHA_A = "23ac2620b6941d1e6f5a7c0a1f4e5b6c7d8e9f00112233445566778899aabbcc"
SHA_B = "9f00aa11bb22cc33dd44ee55ff6677889900aabbccddeeff0011223344556677"
LORA_HASH = "4ffce88ae393"
EMB_HASH = "9eb51776c3cc"


def make_lora(model, seed=1, rank=4, scale=0.5):
    """{layer name: (up, down, alpha)} on the UNet's attention projections and one conv."""
    g = torch.Generator().manual_seed(seed)
    layers = {}
    for name, m in model.network_layer_mapping.items():
        wanted = (isinstance(m, torch.nn.Linear) and name.startswith("diffusion_model_")
                  and ("attn1_to_" in name or "attn2_to_k" in name or "attn2_to_v" in name))
        wanted = wanted or (isinstance(m, torch.nn.Conv2d) and name == "diffusion_model_input_blocks_1_0_in_layers_2")
        if not wanted:
            continue
        out_f, in_f = m.weight.shape[0], m.weight[0].numel()
        up = torch.randn(out_f, rank, generator=g) * scale
        down = torch.randn(rank, in_f, generator=g) * scale
        if isinstance(m, torch.nn.Conv2d):
            up, down = up[..., None, None], down.reshape(rank, *m.weight.shape[1:])
        layers[name] = (up, down, float(rank))
    return layers


def install(webui):
    """Build the host; returns a namespace; call `uninstall(ns)` after."""
    from easydrag_ext.testing.tiny_ldm import build_tiny_model
    from modules import call_queue, extra_networks, sd_hijack, sd_models, shared

    sys.path.insert(0, str(LORA_DIR))
    import extra_networks_lora
    import networks

    networks.reset()
    sd_models.reset()
    extra_networks.initialize()
    sd_hijack.model_hijack.clear_comments()
    sd_hijack.model_hijack.embedding_db.word_embeddings.clear()
    networks.install_patches()
    lora = extra_networks_lora.ExtraNetworkLora()
    extra_networks.register_extra_network(lora)
    extra_networks.register_extra_network_alias(lora, "lyco")

    models = {}
    for key, sha, seed in (("a", SHA_A, 0), ("b", SHA_B, 5)):
        m = build_tiny_model(seed=seed)
        sd_hijack.model_hijack.hijack(m)
        networks.assign_network_names_to_compvis_modules(m)
        info = sd_models.CheckpointInfo(f"/models/Stable-diffusion/model-{key}.safetensors",
                                        f"model-{key}.safetensors", sha, old_hash=sha[-8:])
        sd_models.register(info, m)
        models[key] = (m, info)
    shared.opts.onchange("sd_model_checkpoint",
                         call_queue.wrap_queued_call(lambda: sd_models.reload_model_weights()), call=False)
    shared.opts.data["sd_model_checkpoint"] = models["a"][1].title
    sd_models.reload_model_weights()
    model = shared.sd_model
    networks.fake_files["/models/Lora/testlora.safetensors"] = make_lora(model)
    networks.available_networks["testlora"] = networks.NetworkOnDisk(
        "testlora", "/models/Lora/testlora.safetensors", LORA_HASH)
    g = torch.Generator().manual_seed(3)
    sd_hijack.model_hijack.embedding_db.register(
        sd_hijack.Embedding(torch.randn(2, model.cond_stage_model.wrapped.position.shape[1], generator=g),
                            "testemb", EMB_HASH))
    return types.SimpleNamespace(networks=networks, lora=lora, model=model, models=models,
                                 sd_models=sd_models, shared=shared, hijack=sd_hijack.model_hijack)


def uninstall(ns):
    ns.networks.undo_patches()
    ns.networks.reset()
    ns.sd_models.reset()
    sys.path.remove(str(LORA_DIR))
    for name in ("networks", "extra_networks_lora"):
        sys.modules.pop(name, None)


def txt2img(prompt, negative="", seed=7, steps=2, cfg=7.0, clip_skip=None):
    from modules import processing

    override = {"CLIP_stop_at_last_layers": clip_skip} if clip_skip else {}
    p = processing.StableDiffusionProcessingTxt2Img(prompt=prompt, negative_prompt=negative, seed=seed,
                                                    steps=steps, cfg_scale=cfg, width=64, height=64,
                                                    override_settings=override)
    return processing.process_images(p)


def unet_weights(model):
    return {k: v.detach().clone() for k, v in model.model.diffusion_model.state_dict().items()}
