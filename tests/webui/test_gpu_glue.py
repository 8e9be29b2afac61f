"""Issue 18 in the glue: the inversion cache on unload and under --medvram, the host's precision
choices reaching the engine, and NaN hints naming the part that produced them."""
import pytest
import torch

from .helpers import FAST, by_id, disc_image, handler_for, param_values, points_json


def _run(page, image=None):
    tab = by_id(page, "tab_easydrag")
    fn, _ = handler_for(page, by_id(tab, "easydrag_run"))
    image = image or disc_image()
    return fn("task(t1)", image, "a red disc", "", points_json([[20, 20, 36, 28]], image.size), None,
              *param_values(FAST))


def test_unload_sd_checkpoint_drops_the_inversion_cache(webui, page):
    from modules import sd_models

    from easydrag_ext.webui import webui_host as services

    services.clear_caches()
    _run(page)
    assert len(services.inversion_cache) == 1
    sd_models.unload_model_weights()          # Settings -> Actions -> "Unload SD checkpoint"; no callback
    assert len(services.inversion_cache) == 0


def test_the_unload_watch_wraps_once_and_goes_on_script_unload(webui):
    import runpy

    from modules import sd_models

    from .conftest import ROOT

    runpy.run_path(str(ROOT / "scripts" / "easydrag.py"))          # "Reload UI" imports scripts again
    wrapped = sd_models.send_model_to_cpu
    original = wrapped._easydrag_unload_watch
    assert not hasattr(original, "_easydrag_unload_watch"), "wrapped twice"
    webui.script_callbacks.script_unloaded_callback()
    assert sd_models.send_model_to_cpu is original


@pytest.mark.parametrize("flag, offload", [(None, False), ("medvram", True), ("lowvram", True)])
def test_the_cache_lives_on_the_cpu_under_medvram_and_lowvram(webui, page, monkeypatch, flag, offload):
    from easydrag_ext.webui import compat
    from easydrag_ext.webui import webui_host as services

    if flag:
        monkeypatch.setattr(webui.shared.cmd_opts, flag, True)
    assert compat.low_vram_mode(webui.shared.sd_model) is offload
    monkeypatch.setattr(services, "execute", lambda *a, **kw: (_ for _ in ()).throw(ValueError("stop")))
    _run(page)
    assert services.inversion_cache.offload is offload


def test_host_precision_reads_fp8_upcast_and_the_vae_retry_setting(webui, monkeypatch):
    from easydrag_ext.webui import compat

    plain = compat.host_precision()
    assert plain.compute_dtype is None and plain.vae_fp32_retry and not plain.upcast_attn
    monkeypatch.setattr(webui.devices, "fp8", True)
    monkeypatch.setattr(webui.devices, "unet_needs_upcast", True)
    webui.shared.opts.upcast_attn = True
    webui.shared.opts.auto_vae_precision = False
    got = compat.host_precision()
    assert got.compute_dtype == torch.bfloat16          # fp8 on a CPU: the host autocasts to bfloat16
    assert got.upcast_sampling and got.upcast_attn and not got.vae_fp32_retry and got.no_half_vae
    monkeypatch.setattr(webui.devices, "device", torch.device("cuda"))
    monkeypatch.setattr(webui.devices, "dtype_inference", torch.float16)
    assert compat.host_precision().compute_dtype == torch.float16


def test_a_nan_from_the_unet_is_shown_with_the_unet_hint(webui, page, tiny_model):
    handle = tiny_model.model.diffusion_model.out.register_forward_hook(lambda m, i, o: o * float("nan"))
    try:
        *_, html = _run(page)
    finally:
        handle.remove()
    assert "UNet" in html and "--no-half-vae" not in html
