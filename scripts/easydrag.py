# EasyDrag's entry for the WebUI's script loader; all glue lives in easydrag_ext/webui.
import os
import sys

_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _root not in sys.path:  # the WebUI imports scripts by path; make our package importable
    sys.path.insert(0, _root)

from easydrag_ext.webui import register  # noqa: E402

register()
