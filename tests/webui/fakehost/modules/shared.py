import argparse

from modules.options import OptionInfo, Options  # noqa: F401  (the host re-exports OptionInfo)
from modules.paths_internal import default_output_dir
from modules.shared_state import State

cmd_opts = argparse.Namespace(lowvram=False, medvram=False, medvram_sdxl=False, api_auth=None,
                              no_half=True, no_half_vae=True, upcast_sampling=False, hide_ui_dir_config=True,
                              no_prompt_history=True)
opts = Options({
    "samples_format": OptionInfo("png", "File format for images"),
    "outdir_samples": OptionInfo("", "Output directory for images"),
    "outdir_img2img_samples": OptionInfo(default_output_dir + "/img2img-images", "img2img"),
    "infotext_skip_pasting": OptionInfo([], "skip"),
    "send_size": OptionInfo(True, "send size"),
    "send_seed": OptionInfo(True, "send seed"),
    "upcast_attn": OptionInfo(False, "Upcast cross attention layer to float32"),
    "auto_vae_precision": OptionInfo(True, "Automatically revert VAE to 32-bit floats"),
})
state = State()
sd_model = None
demo = None
parallel_processing_allowed = True
