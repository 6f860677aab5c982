"""Helpers for the course "From Policy Gradient to RLHF": the nouns the notebooks use.

Notebooks import modules, not names (``from helpers import envs, nets``). This file holds
only ``set_seed``, ``get_device`` and ``usable_cpus`` and imports nothing heavy at import time.
"""

import os
import random

__all__ = ["set_seed", "get_device", "usable_cpus"]


def set_seed(seed):
    """Seed Python's, NumPy's and PyTorch's random generators (CPU and GPU) with ``seed``.

    Returns the seed so a notebook can write ``seed = helpers.set_seed(SEED)``.
    """
    import numpy as np
    import torch

    from helpers import _validate

    seed = _validate.seed(seed)
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


def usable_cpus(cgroup_root="/sys/fs/cgroup"):
    """How many CPU cores this process may run on at once: the cores it is pinned to
    (``os.sched_getaffinity``), capped by the container's CPU quota where there is one
    (cgroup v2 ``cpu.max`` or v1 ``cpu.cfs_quota_us``, as a Binder session has); at least 1.

    ``os.cpu_count()`` counts the host's cores, which a container may not be allowed to use:
    more torch threads than usable cores make PyTorch slower, not faster.
    """
    from pathlib import Path

    root = Path(cgroup_root)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cpus = cpus or 1
    try:  # cgroup v2: "max 100000" (no quota) or "150000 100000" (1.5 cores)
        quota, period = (root / "cpu.max").read_text().split()[:2]
        if quota != "max":
            cpus = min(cpus, int(quota) // int(period))
    except (OSError, ValueError):
        pass
    for v1 in ("cpu", "cpu,cpuacct"):  # cgroup v1: a quota of -1 means none
        try:
            quota = int((root / v1 / "cpu.cfs_quota_us").read_text())
            period = int((root / v1 / "cpu.cfs_period_us").read_text())
            if quota > 0 and period > 0:
                cpus = min(cpus, quota // period)
        except (OSError, ValueError):
            pass
    return max(1, cpus)
