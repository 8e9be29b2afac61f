"""Shared test helpers: host snapshots, a test image, a plain UNet call, the official reference blocks."""
import numpy as np
import torch
from PIL import Image

# The official code's batch-2 reference blocks, as the benchmark's official structure uses them.
from bench.official_structure import OfficialReferenceBlocks as official_reference  # noqa: F401


def host_snapshot(model):
    """Everything a drag must leave exactly as it was."""
    return {
        "state": {k: v.detach().clone() for k, v in model.state_dict().items()},
        "requires_grad": {n: p.requires_grad for n, p in model.named_parameters()},
        "training": {n: m.training for n, m in model.named_modules()},
        # ldm's Decoder.forward records `last_z_shape` on every decode (txt2img too): not ours
        "instance_attrs": {n: sorted(k for k in vars(m) if k != "last_z_shape")
                           for n, m in model.named_modules()},
        "forward": {n: (m.__dict__.get("forward"), m.__dict__.get("_forward")) for n, m in model.named_modules()},
        "hooks": {n: (dict(m._forward_hooks), dict(m._forward_pre_hooks), dict(m._backward_hooks))
                  for n, m in model.named_modules()},
        "dtype_device": {k: (v.dtype, v.device) for k, v in model.state_dict().items()},
        "grads": {n: p.grad for n, p in model.named_parameters()},
    }


def assert_same_host(before, after):
    assert before["requires_grad"] == after["requires_grad"]
    assert before["training"] == after["training"]
    assert before["instance_attrs"] == after["instance_attrs"]
    assert before["forward"] == after["forward"]
    assert before["hooks"] == after["hooks"]
    assert before["dtype_device"] == after["dtype_device"]
    assert all(after["grads"][n] is None for n in after["grads"]), "a drag left .grad on the host's weights"
    for k, v in before["state"].items():
        assert torch.equal(_bits(v), _bits(after["state"][k])), k


def _bits(t):
    """fp8 tensors compared bit for bit (torch 2.1, the WebUI's, has no `equal` for float8)."""
    return t.view(torch.uint8) if t.is_floating_point() and t.element_size() == 1 else t


def disc_image(size=64, centre=(20, 20), radius=8):
    yy, xx = np.mgrid[:size, :size]
    arr = np.zeros((size, size, 3), np.uint8)
    arr[..., 2] = 60
    arr[((xx - centre[0]) ** 2 + (yy - centre[1]) ** 2) < radius ** 2] = [220, 40, 40]
    return Image.fromarray(arr)


def plain_unet_call(model, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(1, 4, 8, 8, generator=g)
    c = model.get_learned_conditioning(["a test prompt"])
    with torch.no_grad():
        return model.model.diffusion_model(x, torch.tensor([500]), context=c)
