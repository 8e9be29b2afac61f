"""ShapesDrag: drags with known answers on held-out scenes of the bundled model.

    python -m bench.shapes [--tasks 40] [--first-task 0] [--methods M1,M2] [--weights FILE] [drag flags]

tasks.py draws the tasks, metrics.py scores an output from geometry alone, run.py runs the
methods (EasyDrag and its ablations, like the paper's Table 2) and prints the table.
"""
