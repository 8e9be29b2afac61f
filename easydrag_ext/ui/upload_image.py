"""The tab's image components: gradio's Image, with the upload decoded by EasyDrag's one decoder.

gradio's own preprocessing fails on a non-image, truncated, empty or oversized upload with a
bare exception, which the page shows as a red "Error" badge with no text, on every listener
that takes the image.  Here the upload goes through `imagedata.decode_upload` instead: a good
picture arrives as a PIL image in the mode it has (the engine's one rule converts it), a bad one
as an `UnreadableUpload` whose message the Run and upload handlers show next to Run.
"""
from __future__ import annotations

import gradio as gr

from .imagedata import decode_upload


class UploadImage(gr.Image):
    # gradio names the browser component after the base class for a "template", so the page
    # keeps the stock Image (gradio 3 and 4 both read this attribute)
    is_template = True

    def __init__(self, *args, role: str = "image", **kwargs):
        super().__init__(*args, **kwargs)
        self.easydrag_role = role

    def preprocess(self, payload):
        return decode_upload(payload, self.easydrag_role)
