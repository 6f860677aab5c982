"""The test run is offline: processes it starts (like the notebooks' kernels) cannot reach
anything but loopback, so a notebook that tried to download something would fail."""

import os
import socket
import subprocess
import sys


def run(code):
    return subprocess.run(
        [sys.executable, "-c", code],
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_child_processes_inherit_the_network_block():
    assert os.environ.get("COURSE_BLOCK_NETWORK") == "1"
    result = run("import socket; socket.create_connection(('192.0.2.1', 80), timeout=2)")
    assert result.returncode != 0 and "blocked: the course runs offline" in result.stderr
    result = run("import urllib.request; urllib.request.urlopen('https://pypi.org', timeout=2)")
    assert result.returncode != 0 and "blocked" in result.stderr


def test_loopback_still_works_for_kernels_and_jupyterlab():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    result = run(
        f"import socket; s = socket.create_connection(('127.0.0.1', {port}), timeout=5); print('ok')"
    )
    server.close()
    assert result.returncode == 0 and "ok" in result.stdout, result.stderr
