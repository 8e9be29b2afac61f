"""The lab that produced the bundled model: training, sample grids, loss curves, unshipped layouts.

Outside the product: research may import easydrag_ext, never the other way round
(tests/test_architecture.py checks).  Run history: research/NOTES.md.
"""
