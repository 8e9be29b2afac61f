import contextlib

import torch

cpu = torch.device("cpu")
device = cpu
dtype = dtype_vae = dtype_unet = dtype_inference = torch.float32
unet_needs_upcast = False
fp8 = False            # Settings -> "FP8 weight": UNet Linear/Conv weights stored as float8_e4m3fn
gc_calls = 0


class NansException(Exception):
    pass


def torch_gc():
    global gc_calls
    gc_calls += 1


def get_device_for(task):
    return device


def autocast(disable=False):
    if disable or dtype == torch.float32:
        return contextlib.nullcontext()
    return torch.autocast(device.type)


def without_autocast(disable=False):
    return contextlib.nullcontext()


def test_for_nans(x, where):
    if torch.isnan(x).all():
        raise NansException(f"A tensor with all NaNs was produced in {where}.")
