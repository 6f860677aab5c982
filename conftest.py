"""Test-run set-up shared by the unit tests and the notebooks that nbval executes.

Every process started by the test run (the notebooks' kernels, JupyterLab in the browser
test) runs offline: tests/offline/sitecustomize.py blocks all but loopback connections.
"""

import os
from pathlib import Path

_OFFLINE = str(Path(__file__).resolve().parent / "tests" / "offline")
os.environ["COURSE_BLOCK_NETWORK"] = "1"
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in [_OFFLINE, os.environ.get("PYTHONPATH", "")] if p)
os.environ.setdefault("MPLBACKEND", "Agg")
