"""The EasyDrag engine: host-free, on any ldm LatentDiffusion-like model."""
from .adapter import LdmAdapter
from .cache import InversionCache
from .events import DragCancelled, DragResult, ProgressEvent
from .geometry import next_point
from .losses import auto_mask, similarity_loss
from .pipeline import drag

__all__ = ["LdmAdapter", "InversionCache", "DragCancelled", "DragResult", "ProgressEvent", "next_point",
           "auto_mask", "similarity_loss", "drag"]
