"""A JupyterLab server on loopback for the browser tests, and the Chromium they drive.

``jupyterlab(root_dir, home)`` starts ``python -m jupyter lab`` on a random free port with
token auth, its runtime, config and IPython folders under ``home`` (nothing of the user's
leaks in), waits until it answers, yields ``(base_url, token)`` and stops it afterwards.
``require_chromium()`` fails in CI (``CI`` set) and skips elsewhere when Debian's chromium
is missing, saying why.
"""

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def require_chromium():
    if not Path(CHROMIUM).exists():
        message = f"Debian's chromium is not installed at {CHROMIUM}: apt-get install -y chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def is_up(base, token):
    try:
        urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
        return True
    except OSError:
        return False


@contextlib.contextmanager
def jupyterlab(root_dir, home, extra_args=(), extra_env=None, log_path=None, start_timeout=120):
    """Run JupyterLab serving ``root_dir`` while the ``with`` block lasts: yields (base, token).
    Its output goes to ``log_path`` (default ``home / "lab.log"``), closed when it stops."""
    home = Path(home)
    home.mkdir(parents=True, exist_ok=True)
    log_path = Path(log_path or home / "lab.log")
    port, token = free_port(), secrets.token_hex(16)
    env = dict(
        os.environ,
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTER_CONFIG_DIR=str(home / "config"),
        IPYTHONDIR=str(home / "ipython"),
        **(extra_env or {}),
    )
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root_dir}",
        "--LabApp.expose_app_in_browser=True",
        f"--LabApp.workspaces_dir={home / 'workspaces'}",
        "--allow-root",
        *extra_args,
    ]
    base = f"http://127.0.0.1:{port}"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root_dir
        )
        try:
            deadline = time.time() + start_timeout
            while not is_up(base, token):
                if server.poll() is not None:
                    pytest.fail(f"JupyterLab exited: {log_path.read_text()[-2000:]}")
                if time.time() > deadline:
                    pytest.fail(f"JupyterLab did not start within {start_timeout} s")
                time.sleep(0.5)
            yield base, token
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
