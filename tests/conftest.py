import os

# Bitwise-repeatable CPU runs: oneMKL's threaded SGEMM (used by the CPU convolution's input
# gradient) picks its code path per run and is not run-to-run reproducible; conditional numerical
# reproducibility (CBWR) pins it.  MKL reads this once, when torch loads it, so it must be set
# before `import torch`.  Same machine and thread count only; GPUs are never bitwise repeatable.
os.environ.setdefault("MKL_CBWR", "AUTO,STRICT")

import pytest  # noqa: E402
import torch  # noqa: E402

# EASYDRAG_TEST_THREADS runs the suite at another thread count (CI uses the default: up to 2).
torch.set_num_threads(int(os.environ.get("EASYDRAG_TEST_THREADS") or max(1, min(2, os.cpu_count() or 1))))


@pytest.fixture(scope="session")
def tiny_model():
    """Seeded random-weight SD-1.x-layout model; tests must leave it as they found it."""
    from easydrag_ext.testing.tiny_ldm import build_tiny_model

    return build_tiny_model(seed=0)


@pytest.fixture(scope="session")
def adapter(tiny_model):
    from easydrag_ext import LdmAdapter

    return LdmAdapter(tiny_model)
