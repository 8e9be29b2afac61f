"""Training and inspecting the bundled ShapesDrag model (easydrag_ext/bundled)."""
