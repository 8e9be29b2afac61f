"""Is the loaded checkpoint (and VAE) the one that made the image?  And the button that loads it.

The image's infotext names `Model hash` (the checkpoint's sha256[:10], or the old 8-hex hash in
old images) and, when an external VAE was loaded, `VAE hash`.  A mismatch does not stop the drag
(the user may mean it) but is reported: in the tab as a warning naming both, with a button that
switches through the WebUI's own setting (`opts.set("sd_model_checkpoint", title)`, whose onchange
takes the queue lock itself, so it is called without it), and in the API as `model_mismatch`.
"""
from __future__ import annotations

import html
from typing import List, Optional

from . import compat


def _matches(wanted: str, info) -> bool:
    wanted = wanted.strip().lower()
    if info is None or not wanted:
        return False
    for h in (getattr(info, "shorthash", None), getattr(info, "hash", None)):
        if h and h.lower() == wanted:
            return True
    sha = getattr(info, "sha256", None)
    return bool(sha) and len(wanted) >= 8 and sha.lower().startswith(wanted)


def model_mismatch(source) -> Optional[dict]:
    """None when the image's checkpoint/VAE are the loaded ones (or it does not say), else the facts."""
    if source is None:
        return None
    from modules import shared

    out = {}
    if source.model_hash:
        sd_model = shared.sd_model
        loaded = getattr(sd_model, "sd_checkpoint_info", None)
        loaded_hash = compat.model_hash(sd_model)
        same = _matches(source.model_hash, loaded) or (loaded_hash or "").lower() == source.model_hash.lower()
        if not same:
            installed = None
            try:
                from modules import sd_models
                installed = sd_models.get_closet_checkpoint_match(source.model_hash)
            except ImportError:
                pass
            out.update(infotext_model_hash=source.model_hash, infotext_model=source.model_name,
                       loaded_model_hash=loaded_hash, loaded_model=getattr(loaded, "title", None),
                       installed_checkpoint=getattr(installed, "title", None))
    if source.vae_hash:
        try:
            from modules import sd_vae
            loaded_vae_hash, loaded_vae = sd_vae.get_loaded_vae_hash(), sd_vae.get_loaded_vae_name()
        except ImportError:
            loaded_vae_hash = loaded_vae = None
        if (loaded_vae_hash or "").lower() != source.vae_hash.lower():
            out.update(infotext_vae_hash=source.vae_hash, infotext_vae=source.vae_name,
                       loaded_vae_hash=loaded_vae_hash, loaded_vae=loaded_vae)
    return out or None


def mismatch_notes(m: Optional[dict]) -> List[str]:
    if not m:
        return []
    notes = []
    if "infotext_model_hash" in m:
        made = f"{m.get('infotext_model') or 'a checkpoint'} [{m['infotext_model_hash']}]"
        loaded = m.get("loaded_model") or f"[{m.get('loaded_model_hash')}]"
        where = (f"it is installed as {m['installed_checkpoint']}: load it and run again"
                 if m.get("installed_checkpoint") else "it is not installed")
        notes.append(f"This image was made with {made}, but {loaded} is loaded; the drag ran on the "
                     f"loaded one and may drift ({where}).")
    if "infotext_vae_hash" in m:
        made = f"{m.get('infotext_vae') or 'a VAE'} [{m['infotext_vae_hash']}]"
        loaded = (f"{m.get('loaded_vae')} [{m.get('loaded_vae_hash')}]" if m.get("loaded_vae_hash")
                  else "the checkpoint's own VAE")
        notes.append(f"This image was made with the VAE {made}, but {loaded} is loaded (Settings > VAE).")
    return notes


def load_checkpoint(title: str) -> str:
    """Switch to `title` through the WebUI's own checkpoint setting; returns HTML for the tab."""
    from modules import shared

    if not title:
        return "<div class='error easydrag-error'>no checkpoint to load</div>"
    try:
        shared.opts.set("sd_model_checkpoint", title)   # onchange: reload_model_weights under the queue lock
    except Exception as e:  # a failed load must not break the tab
        return f"<div class='error easydrag-error'>loading {html.escape(title)} failed: {html.escape(str(e))}</div>"
    return f"<div class='easydrag-info'>Loaded {html.escape(title)}.</div>"


def add_checkpoint_button(tab) -> None:
    """A button shown when the image's checkpoint is installed but not loaded (source info changes)."""
    import gradio as gr

    from ..front.source_info import from_json

    source_box = getattr(tab, "source_info", None)
    if source_box is None:
        return
    button = gr.Button("Load the image's checkpoint", elem_id="easydrag_load_checkpoint", visible=False)
    tab.extra["load_checkpoint"] = button

    def title_for(source_json):
        try:
            m = model_mismatch(from_json(source_json))
        except ValueError:
            m = None
        return (m or {}).get("installed_checkpoint")

    def changed(source_json):
        title = title_for(source_json)
        if not title:
            return gr.update(visible=False), ""
        body = "<br>".join(html.escape(n) for n in mismatch_notes(model_mismatch(from_json(source_json))))
        return (gr.update(visible=True, value=f"Load {title}"),
                f"<div class='easydrag-warning'>{body}</div>")

    source_box.change(fn=changed, inputs=[source_box], outputs=[button, tab.html_info], queue=False)
    def load(source_json):
        message = load_checkpoint(title_for(source_json))
        return gr.update(visible=title_for(source_json) is not None), message

    button.click(fn=load, inputs=[source_box], outputs=[button, tab.html_info])
