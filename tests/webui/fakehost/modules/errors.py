"""modules/errors.py: `display` prints an exception with what was being done (own code)."""
import traceback

shown = []   # (task, exception) for tests


def display(e, task, *, full_traceback=False):
    shown.append((task, e))
    print(f"{task or 'error'}: {type(e).__name__}")
    print(traceback.format_exc())


def report(message, *, exc_info=False):
    shown.append((message, None))
    print(message)
