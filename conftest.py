"""Test-run set-up shared by the unit tests and the notebooks that nbval executes.

Every process started by the test run (the notebooks' kernels, JupyterLab in the browser
test) runs offline: tests/offline/sitecustomize.py blocks all but loopback connections, and
imports this checkout's ``helpers`` (its root is on ``PYTHONPATH``), whichever checkout the
editable install points to.
"""

import os
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parent)
_OFFLINE = str(Path(_ROOT) / "tests" / "offline")
os.environ["COURSE_BLOCK_NETWORK"] = "1"
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in [_OFFLINE, _ROOT, os.environ.get("PYTHONPATH", "")] if p
)
os.environ.setdefault("MPLBACKEND", "Agg")

# nbval waits only 5 s for a finished cell's outputs to arrive (hard-coded); on a busy
# machine a cell that ran fine can fail that way. Wait up to 2 minutes instead.
NBVAL_OUTPUT_TIMEOUT_S = 120


def pytest_configure(config):
    try:
        from nbval import plugin
    except ImportError:  # pragma: no cover
        return
    if getattr(plugin.IPyNbCell, "_course_patched", False):
        return
    original_init = plugin.IPyNbCell.__init__

    def __init__(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self.output_timeout = NBVAL_OUTPUT_TIMEOUT_S

    plugin.IPyNbCell.__init__ = __init__
    plugin.IPyNbCell._course_patched = True
