"""Binder's server settings (binder/postBuild -> binder/jupyter_server_config.py ->
binder/lru_kernels.py): which kernels get shut down, tested on the rules alone and on a real
JupyterLab server started the way Binder starts it, with the session script's own client."""

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import _scripts
import nbformat
import pytest

from helpers import memory

ROOT = Path(__file__).resolve().parent.parent


lru = _scripts.load("binder/lru_kernels.py")
session_memory = _scripts.load("benchmarks/session_memory.py")
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def at(minutes):
    return T0 + timedelta(minutes=minutes)


def test_count_limit_stops_the_least_recently_used_idle_kernels():
    kernels = [("a", at(1), "idle"), ("b", at(5), "idle"), ("c", at(3), "idle")]
    assert lru.to_stop_for_count(kernels, keep=1) == ["a", "c"]
    assert lru.to_stop_for_count(kernels, keep=3) == []
    assert lru.to_stop_for_count(kernels, keep=0) == ["a", "c", "b"]


def test_count_limit_never_stops_a_busy_or_starting_kernel():
    kernels = [("a", at(1), "busy"), ("b", at(2), "starting"), ("c", at(3), "idle")]
    assert lru.to_stop_for_count(kernels, keep=1) == ["c"]  # one fewer than asked: a, b work
    crashed = [("a", at(1), "idle"), ("b", at(2), "dead"), ("c", at(3), "idle")]
    assert lru.to_stop_for_count(crashed, keep=2) == ["b"]  # a dead kernel goes first
    with pytest.raises(ValueError, match="keep"):
        lru.to_stop_for_count(kernels, keep=-1)


def test_memory_limit_keeps_the_newest_and_busy_kernels():
    kernels = [
        ("old", at(1), "idle", 600.0),
        ("busy", at(2), "busy", 600.0),
        ("mid", at(3), "idle", 500.0),
        ("new", at(4), "idle", 700.0),
    ]
    assert lru.to_stop_for_memory(kernels, 2400) == []
    assert lru.to_stop_for_memory(kernels, 1900) == ["old"]
    assert lru.to_stop_for_memory(kernels, 1400) == ["old", "mid"]
    assert lru.to_stop_for_memory(kernels, 100) == ["old", "mid"]  # never busy, never newest
    assert lru.to_stop_for_memory([("new", at(4), "idle", 5000.0)], 100) == []
    with pytest.raises(ValueError, match="limit_mb"):
        lru.to_stop_for_memory(kernels, 0)


def test_bad_settings_are_refused_with_the_setting_named():
    from traitlets import TraitError

    for name, value in [("max_kernels", 0), ("memory_limit_mb", -1), ("check_interval", 0)]:
        with pytest.raises(TraitError, match=name):
            lru.LRUKernelManager(**{name: value})


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads memory from /proc")
def test_process_memory_counts_the_whole_process_tree():
    """The measure the memory limit and session_memory.py share: a process's resident memory
    plus that of the processes it started (a kernel's, say)."""
    alone = memory.process_tree_mb(os.getpid())
    assert 20 < alone < 20_000
    hold = "import sys, time; b = b'x' * (128 * 2**20); print('ready', flush=True); time.sleep(60)"
    child = subprocess.Popen([sys.executable, "-c", hold], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"  # its 128 MiB are written
        assert memory.process_tree_mb(child.pid) >= 128
        assert memory.process_tree_mb(os.getpid()) >= alone + 120  # the child counts too
    finally:
        child.kill()
        child.wait()


def _post_build_config_dir(tmp_path):
    """Run binder/postBuild as Binder does (in the repository), with a stand-in `python` so
    that it installs nothing; return the Jupyter config folder it wrote."""
    bin_dir, home = tmp_path / "bin", tmp_path / "home"
    bin_dir.mkdir()
    home.mkdir()
    (bin_dir / "python").write_text('#!/bin/sh\necho "$@" > "$HOME/python-args"\n')
    (bin_dir / "python").chmod(0o755)
    env = dict(os.environ, HOME=str(home), PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    subprocess.run(["bash", "binder/postBuild"], cwd=ROOT, env=env, check=True, timeout=60)
    args = (home / "python-args").read_text().split()
    assert args == ["-m", "pip", "install", "--no-deps", "-e", "."]
    return home / ".jupyter"


def test_post_build_points_the_server_at_binders_settings(tmp_path):
    from traitlets.config.loader import PyFileConfigLoader

    config_dir = _post_build_config_dir(tmp_path)
    config = PyFileConfigLoader("jupyter_server_config.py", path=str(config_dir)).load_config()
    assert config.ServerApp.kernel_manager_class == "lru_kernels.LRUKernelManager"
    assert config.LRUKernelManager.max_kernels == 2
    assert config.LRUKernelManager.memory_limit_mb == 1536


def _notebook(path, source):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_code_cell(source)]
    nbformat.write(nb, path)
    return path


def _wait_for(condition, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return False


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads memory from /proc")
def test_a_session_on_binders_server_keeps_two_kernels(tmp_path):
    """Three notebooks opened and run in turn on a server configured by postBuild: the third
    kernel's start shuts down the first (least recently used); the second and third live."""
    config_dir = _post_build_config_dir(tmp_path)
    paths = [
        _notebook(tmp_path / f"0{i}_x.ipynb", f"x = bytearray({i} * 10**7)") for i in (1, 2, 3)
    ]
    server = session_memory.Server(None, tmp_path / "server.log", tmp_path, config_dir)
    try:
        rows = session_memory.run_session(server, paths, settle=0.5)
        kernels = server.api("GET", "/api/kernels")
    finally:
        server.stop()
    log = (tmp_path / "server.log").read_text()
    assert [r[6] for r in rows] == ["ok", "ok", "ok"], log[-2000:]
    assert [r[2] for r in rows] == [1, 2, 2]  # live kernels after each notebook
    assert all(r[3] > 20 for r in rows)  # each kernel's memory was read
    assert len(kernels) == 2
    assert "Keeping at most 2 kernels running and at most 1536 MB" in log
    assert log.count("Shutting down idle kernel") == 1 and "to keep at most 2 kernels" in log


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads memory from /proc")
def test_the_memory_limit_shuts_down_all_but_the_newest_kernel(tmp_path):
    config = tmp_path / "tight.py"
    config.write_text(
        f"load_subconfig({str(ROOT / 'binder' / 'jupyter_server_config.py')!r})\n"
        "c.LRUKernelManager.max_kernels = 5\n"
        "c.LRUKernelManager.memory_limit_mb = 1\n"
        "c.LRUKernelManager.check_interval = 0.5\n"
    )
    paths = [_notebook(tmp_path / f"0{i}_x.ipynb", "y = 1") for i in (1, 2)]
    server = session_memory.Server(config, tmp_path / "server.log", tmp_path)
    try:
        rows = session_memory.run_session(server, paths, settle=0.5)
        assert [r[6] for r in rows] == ["ok", "ok"]
        assert _wait_for(lambda: len(server.api("GET", "/api/kernels")) == 1)
        sessions = server.api("GET", "/api/sessions")
    finally:
        server.stop()
    assert [s["path"] for s in sessions] == ["02_x.ipynb"]  # the newest one lives on
    assert "over 1 MB" in (tmp_path / "server.log").read_text()


def test_binary_websocket_frames_are_read():
    import json
    import struct

    body = json.dumps({"header": {"msg_type": "display_data"}}).encode()
    frame = struct.pack("!3I", 2, 12, 12 + len(body)) + body + b"\x89PNG..."
    assert session_memory._decode(frame)["header"]["msg_type"] == "display_data"
    assert session_memory._decode('{"a": 1}') == {"a": 1}
