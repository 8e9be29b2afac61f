"""Run a drag with the prompt's extra networks (LoRA, ...), prompt syntax and clip skip, as txt2img does.

`host_conditioning(request)` is the WebUI side of "drag the image on the model that made it":

* Extra networks: the prompt is parsed with the host's `extra_networks.parse_prompts`; the networks
  are activated through a `StableDiffusionProcessing` built here (so the Lora built-in and any
  registered network apply) for the whole drag, and in `finally` the set is switched back to what
  an untagged prompt gets (`activate(p, {})`, then `deactivate`), with the weights restored at
  once.  The Lora built-in merges lazily at a layer's next forward; the merge is done here, under
  no_grad, for every named layer, so no first forward of the drag can hit its in-place-on-leaf
  error and no LoRA that the drag's prompt did not name stays merged after it.  Like txt2img, the
  negative prompt is not parsed (its tags reach the text encoder as text).
* Prompt editing / alternation (`[a:b:0.4]`, `[a|b]`): a drag has one conditioning, so the text
  that the host's `prompt_parser` schedules for the last step is used, with a note.
* Clip skip: `opts.CLIP_stop_at_last_layers` is the request's (or the image's) for the drag and
  restored after.  Emphasis, BREAK and embeddings are the host's text encoder's business: the
  adapter calls `sd_model.get_learned_conditioning`, the hijacked CLIP.
Hold the queue lock around it (the tab's and the API's run do).
"""
from __future__ import annotations

import contextlib
import dataclasses
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional

import torch

CLIP_SKIP_OPTION = "CLIP_stop_at_last_layers"
# the classes whose forward the Lora built-in patches (lora_patches.py) to merge before running
PATCHED_TYPES = (torch.nn.Linear, torch.nn.Conv2d, torch.nn.GroupNorm, torch.nn.LayerNorm,
                 torch.nn.MultiheadAttention)


@dataclass
class HostRun:
    request: object                     # the DragRequest with the prompts the text encoder gets
    notes: List[str] = field(default_factory=list)
    infotext: Dict[str, str] = field(default_factory=dict)
    key: str = ""                       # active networks and clip skip, for the inversion cache


def _lora_module():
    try:
        import networks        # the Lora built-in's module (its folder is on sys.path when enabled)
    except ImportError:
        return None
    return networks if hasattr(networks, "network_apply_weights") else None


def sync_network_weights(sd_model) -> None:
    """Merge (or restore) now, under no_grad, what the Lora built-in would at each layer's next forward."""
    lora = _lora_module()
    mapping = getattr(sd_model, "network_layer_mapping", None)
    if lora is None or not mapping:
        return
    with torch.no_grad():
        for module in mapping.values():
            # the host names every module but patches only these classes' forward
            if isinstance(module, PATCHED_TYPES) and getattr(module, "network_layer_name", None) is not None:
                lora.network_apply_weights(module)


def networks_key() -> str:
    lora = _lora_module()
    if lora is None:
        return ""
    return ";".join(f"{n.name}:{n.te_multiplier}:{n.unet_multiplier}:{n.dyn_dim}" for n in lora.loaded_networks)


def one_prompt(text: str, steps: int, what: str, notes: List[str]) -> str:
    """Prompt editing/alternation -> the text scheduled for the last step (with a note)."""
    from modules import prompt_parser

    schedule = prompt_parser.get_learned_conditioning_prompt_schedules([text], max(1, int(steps)))[0]
    if len(schedule) > 1:
        notes.append(f"The {what} uses prompt editing or alternation, which a drag cannot schedule: "
                     f"it runs with the text of the last steps, {schedule[-1][1]!r}.")
    if " AND " in schedule[-1][1]:
        notes.append(f"AND (composable prompts) in the {what} is not split by a drag; it is read as text.")
    return schedule[-1][1]


@contextlib.contextmanager
def clip_skip(n: Optional[int]) -> Iterator[int]:
    """`opts.CLIP_stop_at_last_layers` = n for the block (n None: leave the setting); restored after."""
    from modules import shared

    old = getattr(shared.opts, CLIP_SKIP_OPTION, 1)
    if n is None or n == old:
        yield int(old)
        return
    # straight into opts.data, like a job's override_settings: no onchange, nothing saved
    had = CLIP_SKIP_OPTION in shared.opts.data
    shared.opts.data[CLIP_SKIP_OPTION] = n
    try:
        yield int(n)
    finally:
        if had:
            shared.opts.data[CLIP_SKIP_OPTION] = old
        else:
            shared.opts.data.pop(CLIP_SKIP_OPTION, None)


@contextlib.contextmanager
def host_conditioning(request) -> Iterator[HostRun]:
    from modules import extra_networks, processing, sd_hijack, shared

    from ..engine.guidance import resolve_mode   # the engine, imported late like the tab's handlers

    notes: List[str] = []
    raw = request.conditioning_prompt
    stripped, data = extra_networks.parse_prompts([raw])
    unknown = [name for name in data if name not in extra_networks.extra_network_registry
               and name not in extra_networks.extra_network_aliases]
    for name in unknown:
        notes.append(f"Unknown extra network <{name}:...> in the prompt: ignored, as txt2img does.")
    steps = request.params.inversion_steps
    text = one_prompt(stripped[0], steps, "prompt", notes)
    uses_negative = resolve_mode(request.params.guidance_mode, request.source is not None) == "prompt_cfg"
    negative = (one_prompt(request.negative_prompt, steps, "negative prompt", notes) if uses_negative
                else request.negative_prompt)

    p = processing.StableDiffusionProcessing(prompt=raw, negative_prompt=request.negative_prompt)
    p.all_prompts, p.all_negative_prompts = [raw], [request.negative_prompt]
    p.prompts, p.negative_prompts = [text], [negative]
    hijack = sd_hijack.model_hijack
    n_comments = len(hijack.comments)
    saved_params = hijack.extra_generation_params
    hijack.extra_generation_params = {}
    sd_model = shared.sd_model
    run = HostRun(dataclasses.replace(request, prompt=text, negative_prompt=negative, added_prompt=""),
                  notes)
    try:
        with clip_skip(request.effective_clip_skip) as skip:
            extra_networks.activate(p, data)
            for comment in hijack.comments[n_comments:]:
                notes.append(f"{comment}: the drag runs without it, as txt2img does.")
            sync_network_weights(sd_model)
            run.key = f"|clip{skip}|{networks_key()}"
            if skip > 1:
                run.infotext["Clip skip"] = str(skip)
            if p.extra_generation_params.get("Lora hashes"):
                run.infotext["Lora hashes"] = p.extra_generation_params["Lora hashes"]
            yield run
            if hijack.extra_generation_params.get("TI hashes"):     # set by the encoder during the drag
                run.infotext["TI hashes"] = hijack.extra_generation_params["TI hashes"]
    finally:
        try:
            extra_networks.activate(p, {})
            extra_networks.deactivate(p, data)
            sync_network_weights(sd_model)
        finally:
            del hijack.comments[n_comments:]
            hijack.extra_generation_params = saved_params
