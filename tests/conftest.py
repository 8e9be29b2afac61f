import os

import pytest
import torch

torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))


@pytest.fixture(scope="session")
def tiny_model():
    """Seeded random-weight SD-1.x-layout model; tests must leave it as they found it."""
    from easydrag_ext.models.tiny_ldm import build_tiny_model

    return build_tiny_model(seed=0)


@pytest.fixture(scope="session")
def adapter(tiny_model):
    from easydrag_ext import LdmAdapter

    return LdmAdapter(tiny_model)
