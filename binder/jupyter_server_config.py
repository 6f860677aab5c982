"""Jupyter server settings for one learner's session: at most two kernels alive, and at most
1.5 GB of kernel memory, so that a whole session fits Binder's 2 GB (see binder/lru_kernels.py).

Binder loads this file: binder/postBuild writes a ~/.jupyter/jupyter_server_config.py that
loads it. Locally, start JupyterLab with the same settings by
``python -m jupyter lab --config binder/jupyter_server_config.py``.
``benchmarks/session_memory.py`` measures a whole session with exactly this file.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))  # lru_kernels.py, beside this

c = get_config()  # noqa: F821 (traitlets provides get_config to config files)
c.ServerApp.kernel_manager_class = "lru_kernels.LRUKernelManager"
# The notebook being run and the one before it stay alive; opening a third shuts down the least
# recently used idle kernel (its notebook shows "No Kernel": run it again from the top).
c.LRUKernelManager.max_kernels = 2
# A guard for notebooks that grow: over 1.5 GB of kernels (Binder's session has 2 GB, the
# server itself about 0.1 GB), idle kernels go least recently used first, never the newest.
c.LRUKernelManager.memory_limit_mb = 1536
c.LRUKernelManager.check_interval = 5.0
