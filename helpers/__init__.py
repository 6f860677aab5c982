"""Helpers for the course "From Policy Gradient to RLHF": the nouns the notebooks use.

Notebooks import modules, not names (``from helpers import envs, nets``). This file holds
only ``set_seed`` and ``get_device`` and imports nothing heavy at import time.
"""

import os
import random

__all__ = ["set_seed", "get_device"]


def set_seed(seed):
    """Seed Python's, NumPy's and PyTorch's random generators (CPU and GPU) with ``seed``.

    Returns the seed so a notebook can write ``seed = helpers.set_seed(SEED)``.
    """
    import numpy as np
    import torch

    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    seed = int(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)  # also seeds every CUDA device
    return seed


def get_device():
    """The best available device: CUDA, then Apple's MPS, then the CPU."""
    import torch

    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")
