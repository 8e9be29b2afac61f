"""ShapesDrag: procedural scenes, the small bundled model trained on them, and a drag benchmark."""
