"""Queue lock and gradio wrappers with the host's contract (see host notes)."""
import html
import threading
import time
from functools import wraps

from modules import devices, shared

queue_lock = threading.Lock()
tasks = []   # task ids seen (the host's progress module records them)


def wrap_queued_call(func):
    def f(*args, **kwargs):
        with queue_lock:
            return func(*args, **kwargs)
    return f


def wrap_gradio_gpu_call(func, extra_outputs=None):
    @wraps(func)
    def f(*args, **kwargs):
        if args and type(args[0]) == str and args[0].startswith("task(") and args[0].endswith(")"):
            id_task = args[0]
            tasks.append(id_task)
        else:
            id_task = None
        with queue_lock:
            shared.state.begin(job=id_task)
            try:
                res = func(*args, **kwargs)
            finally:
                shared.state.end()
        return res
    return wrap_gradio_call(f, extra_outputs=extra_outputs, add_stats=True)


def wrap_gradio_call(func, extra_outputs=None, add_stats=False):
    @wraps(func)
    def f(*args, **kwargs):
        try:
            res = func(*args, **kwargs)
        finally:
            shared.state.skipped = False
            shared.state.interrupted = False
            shared.state.stopping_generation = False
            shared.state.job_count = 0
            shared.state.job = ""
        return res
    return wrap_gradio_call_no_job(f, extra_outputs, add_stats)


def wrap_gradio_call_no_job(func, extra_outputs=None, add_stats=False):
    @wraps(func)
    def f(*args, extra_outputs_array=extra_outputs, **kwargs):
        t = time.perf_counter()
        try:
            res = list(func(*args, **kwargs))
        except Exception as e:
            if extra_outputs_array is None:
                extra_outputs_array = [None, '']
            res = list(extra_outputs_array) + [f"<div class='error'>{html.escape(f'{type(e).__name__}: {e}')}</div>"]
        devices.torch_gc()
        if not add_stats:
            return tuple(res)
        # the host appends timing HTML to the last output, which must therefore be HTML text
        res[-1] += f"<div class='performance'><p class='time'>Time taken: {time.perf_counter() - t:.1f} sec.</p></div>"
        return tuple(res)
    return f
