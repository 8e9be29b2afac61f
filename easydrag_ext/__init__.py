"""EasyDrag: point-based drag editing on the Stable Diffusion model the user already loaded.

The core (this package minus `easydrag_ext.webui`) never imports the WebUI's `modules`.
"""
from .engine import (DragCancelled, DragResult, InversionCache, LdmAdapter, ProgressEvent, auto_mask, drag, next_point,
                     similarity_loss)
from .params import DragParams

__version__ = "0.1.0"
__all__ = ["DragParams", "InversionCache", "DragCancelled", "DragResult", "LdmAdapter", "ProgressEvent", "auto_mask", "drag",
           "next_point", "similarity_loss", "__version__"]
