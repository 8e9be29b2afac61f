"""Low-VRAM hooks like the host's: `send_me_to_gpu` forward pre-hooks (own implementation)."""
from modules import devices, shared

module_in_gpu = None
moves = []   # modules moved by the hooks, for tests


def send_everything_to_cpu():
    global module_in_gpu
    if module_in_gpu is not None:
        module_in_gpu.to(devices.cpu)
    module_in_gpu = None


def is_needed(sd_model):
    return shared.cmd_opts.lowvram or shared.cmd_opts.medvram


def apply(sd_model):
    enable = is_needed(sd_model)
    shared.parallel_processing_allowed = not enable
    if enable:
        setup_for_low_vram(sd_model, not shared.cmd_opts.lowvram)
    else:
        sd_model.lowvram = False


def setup_for_low_vram(sd_model, use_medvram):
    if getattr(sd_model, "lowvram", False):
        return
    sd_model.lowvram = True

    def send_me_to_gpu(module, _):
        global module_in_gpu
        if module_in_gpu is module:
            return
        if module_in_gpu is not None:
            module_in_gpu.to(devices.cpu)
        module.to(devices.device)
        moves.append(module)
        module_in_gpu = module

    sd_model.first_stage_model.register_forward_pre_hook(send_me_to_gpu)
    sd_model.cond_stage_model.register_forward_pre_hook(send_me_to_gpu)
    if use_medvram:
        sd_model.model.register_forward_pre_hook(send_me_to_gpu)
    else:
        unet = sd_model.model.diffusion_model
        unet.time_embed.register_forward_pre_hook(send_me_to_gpu)
        for block in list(unet.input_blocks) + [unet.middle_block] + list(unet.output_blocks):
            block.register_forward_pre_hook(send_me_to_gpu)


def is_enabled(sd_model):
    return sd_model.lowvram
