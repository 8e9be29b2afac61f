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
    "sd_model_checkpoint": OptionInfo(None, "Stable Diffusion checkpoint"),
    "sd_checkpoint_hash": OptionInfo("", "SHA256 of the checkpoint"),
    "CLIP_stop_at_last_layers": OptionInfo(1, "Clip skip", infotext="Clip skip"),
    "sd_vae": OptionInfo("Automatic", "SD VAE"),
    "sd_lora": OptionInfo("None", "Add network to prompt"),
    "extra_networks_default_multiplier": OptionInfo(1.0, "Default multiplier for extra networks"),
    "lora_add_hashes_to_infotext": OptionInfo(True, "Add Lora hashes to infotext"),
    "lora_not_found_warning_console": OptionInfo(False, "Lora not found warning in console"),
    "lora_not_found_gradio_warning": OptionInfo(False, "Lora not found warning popup"),
})
state = State()
sd_model = None
demo = None
parallel_processing_allowed = True
