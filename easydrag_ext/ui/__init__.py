"""The EasyDrag tab (host-free gradio 3.41 UI) and the canvas JSON contract.

`build_tab(services)` builds the tab; `DragServices` is what a host implements;
`standalone.launch(adapter)` serves the tab without the WebUI.
"""
