"""Moved to `easydrag_ext.front`; these names stay importable for code written against them."""
from ..front.errors import NAN_MESSAGE, is_nan_error  # noqa: F401
from ..front.request import DragRequest, execute, prepare_image, request_from_api, request_from_ui  # noqa: F401
