"""The numbers the host's progress bar shows (modules/progress.py, /internal/progress), v1.10.1.

Only the active task's arithmetic, written from the host's rule: progress =
job_no/job_count + sampling_step/sampling_steps/job_count (capped at 1), ETA =
elapsed/progress - elapsed from state.time_start (None while progress is 0); the bar
shows textinfo in front of "NN% ETA: ...".  Task bookkeeping and live previews are left out.
"""
import time

from modules import shared


def progress_numbers(now=None):
    """(progress, eta, textinfo) as the progress API would answer for the running task."""
    state = shared.state
    progress = 0.0
    if state.job_count > 0:
        progress += state.job_no / state.job_count
        if state.sampling_steps > 0:
            progress += state.sampling_step / state.sampling_steps / state.job_count
    progress = min(progress, 1)
    elapsed = (time.time() if now is None else now) - state.time_start
    eta = elapsed / progress - elapsed if progress > 0 else None
    return progress, eta, state.textinfo
