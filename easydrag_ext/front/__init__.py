"""The one front door: one request type, one `run_and_finish`, one error type with a kind.

Host-free (no gradio, no WebUI): the tab, the HTTP API and the CLI build a `DragRequest`
here, hand it with their host to `run_and_finish` and translate its `Finished` or
`DragError` into HTML, an HTTP status or an exit code.
"""
from .errors import (BAD_INPUT, EXIT_CODES, HTTP_STATUS, INTERRUPTED, KINDS, NAN, NAN_MESSAGE, REFUSED,
                     SAVE_FAILED, DragError, classify, is_nan_error)
from .finish import Finished, run_and_finish
from .host import Host
from .request import (DragRequest, execute, parse_points_text, prepare_image, request_from_api, request_from_cli,
                      request_from_ui)

__all__ = ["BAD_INPUT", "EXIT_CODES", "HTTP_STATUS", "INTERRUPTED", "KINDS", "NAN", "NAN_MESSAGE", "REFUSED",
           "SAVE_FAILED", "DragError", "classify", "is_nan_error", "Finished", "run_and_finish", "Host",
           "DragRequest", "execute", "parse_points_text", "prepare_image", "request_from_api", "request_from_cli",
           "request_from_ui"]
