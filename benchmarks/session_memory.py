"""One learner's whole session in one Jupyter server: the notebooks run in order, kernels left
running, and the resident memory of all live kernels after each notebook.

    python benchmarks/session_memory.py                    # with Binder's server settings
    python benchmarks/session_memory.py --jupyter-defaults # Jupyter's defaults, for contrast
    python benchmarks/session_memory.py notebooks/06_ppo.ipynb notebooks/07_rlhf_tiny_gpt.ipynb

A learner opens notebook 01 in JupyterLab and runs it, opens 02 and runs it, and so on;
JupyterLab keeps every opened notebook's kernel running (and connected) until the learner
shuts it down. This script does the same against a real JupyterLab server on loopback: for
each notebook it creates a session through the server's REST API (as JupyterLab does when a
notebook is opened), keeps the kernel's websocket open, runs every code cell in order over it,
and then reads the resident memory (VmRSS, Linux /proc) of every kernel the server still has.
It also samples the total every half second while the notebook runs, so the peak counts too.

By default the server runs with exactly the settings Binder's server gets:
``binder/jupyter_server_config.py`` (what binder/postBuild points ~/.jupyter at), with a
fresh, empty Jupyter config folder so nothing from your home folder leaks in. The kernels
import this checkout's ``helpers`` (its root goes first on ``PYTHONPATH``).
"""

import argparse
import json
import os
import secrets
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import websocket  # websocket-client, a dependency of jupyter_server

ROOT = Path(__file__).resolve().parent.parent
BINDER_CONFIG = ROOT / "binder" / "jupyter_server_config.py"
BAR_MB = 2048


def rss_mb(pid):
    """Resident memory of process ``pid`` and all its descendants, in MB (Linux /proc)."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{p}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total / 1024


def kernel_pids(server_pid):
    """kernel id -> pid for the kernels the server launched (their command line names the
    connection file ``kernel-<id>.json``)."""
    found = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid != server_pid:
            continue
        for arg in cmdline:
            name = Path(arg.decode(errors="replace")).name
            if name.startswith("kernel-") and name.endswith(".json"):
                found[name[len("kernel-") : -len(".json")]] = int(proc.name)
    return found


class Server:
    """A JupyterLab server on loopback serving ``root``, started with the config file
    ``config`` (None: Jupyter's defaults) and the Jupyter config folder ``config_dir`` (None:
    a fresh, empty one, so that nothing from the home folder leaks in)."""

    def __init__(self, config, log_path, root=ROOT, config_dir=None):
        self.root = Path(root)
        self.token = secrets.token_hex(16)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self._tmp = tempfile.TemporaryDirectory(prefix="session-memory-")
        env = dict(os.environ)
        env.update(
            JUPYTER_CONFIG_DIR=str(config_dir or Path(self._tmp.name) / "config"),
            JUPYTER_RUNTIME_DIR=str(Path(self._tmp.name) / "runtime"),
            PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        )
        cmd = [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
        ]
        if config is not None:
            cmd.append(f"--config={config}")
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")  # containers and CI run as root
        self.log = open(log_path, "w")  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(cmd, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 120
        while True:
            try:
                self.api("GET", "/api/status")
                return
            except (urllib.error.URLError, ConnectionError) as err:
                if self.proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError(f"the Jupyter server did not start; see {log_path}") from err
                time.sleep(0.5)

    def api(self, method, path, body=None):
        request = urllib.request.Request(
            self.base + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            text = response.read()
        return json.loads(text) if text else None

    def kernels_mb(self):
        """{kernel id: resident MB} for every kernel the server has now."""
        live = {k["id"] for k in self.api("GET", "/api/kernels")}
        pids = kernel_pids(self.proc.pid)
        return {kid: rss_mb(pids[kid]) for kid in live if kid in pids}

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()
        self._tmp.cleanup()


def _message(msg_type, content, session):
    return {
        "header": {
            "msg_id": uuid.uuid4().hex,
            "msg_type": msg_type,
            "username": "learner",
            "session": session,
            "date": datetime.now(UTC).isoformat(),
            "version": "5.3",
        },
        "parent_header": {},
        "metadata": {},
        "content": content,
        "channel": "shell",
        "buffers": [],
    }


def _decode(frame):
    """A kernel message from a websocket frame: text is JSON; a binary frame (a message with
    buffers, like a widget's PNG) is jupyter_server's layout: a count, offsets, JSON, buffers."""
    if isinstance(frame, str):
        return json.loads(frame)
    (count,) = struct.unpack("!I", frame[:4])
    offsets = struct.unpack(f"!{count}I", frame[4 : 4 + 4 * count])
    end = offsets[1] if count > 1 else len(frame)
    return json.loads(frame[offsets[0] : end].decode())


def open_and_run(server, path, timeout=900):
    """Open ``path`` as JupyterLab does (a session with a new kernel, its websocket kept
    open) and run every code cell in order. Returns (kernel id, websocket, error or None)."""
    model = server.api(
        "POST",
        "/api/sessions",
        {"path": path, "name": Path(path).name, "type": "notebook", "kernel": {"name": "python3"}},
    )
    kernel_id, client_session = model["kernel"]["id"], uuid.uuid4().hex
    ws = websocket.create_connection(
        f"ws://127.0.0.1:{server.port}/api/kernels/{kernel_id}/channels?session_id={client_session}",
        header=[f"Authorization: token {server.token}"],
        timeout=timeout,
    )
    nb = nbformat.read(server.root / path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        request = _message(
            "execute_request",
            {
                "code": cell.source,
                "silent": False,
                "store_history": True,
                "user_expressions": {},
                "allow_stdin": False,
                "stop_on_error": True,
            },
            client_session,
        )
        ws.send(json.dumps(request))
        msg_id, replied, idle, error = request["header"]["msg_id"], False, False, None
        while not (replied and idle):
            msg = _decode(ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = msg["header"]["msg_type"]
            if kind == "execute_reply":
                replied = True
                if msg["content"].get("status") != "ok":
                    error = (
                        error or f"{msg['content'].get('ename')}: {msg['content'].get('evalue')}"
                    )
            elif kind == "error":
                error = f"{msg['content'].get('ename')}: {msg['content'].get('evalue')}"
            elif kind == "status" and msg["content"]["execution_state"] == "idle":
                idle = True
        if error:
            return kernel_id, ws, error[:200]
    return kernel_id, ws, None


class PeakSampler:
    """Samples the live kernels' total resident memory every ``interval`` seconds."""

    def __init__(self, server, interval=0.5):
        self.server, self.interval, self.peak = server, interval, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            try:
                self.peak = max(self.peak, sum(self.server.kernels_mb().values()))
            except Exception:  # the server may be busy shutting a kernel down: sample again
                pass
            self._stop.wait(self.interval)

    def stop(self):
        self._stop.set()
        self._thread.join()
        return self.peak


def run_session(server, paths, settle=3.0):
    """Open and run each notebook in ``paths`` (under ``server.root``) in turn, leaving its
    kernel running and connected; after each, wait ``settle`` seconds and measure. Returns
    rows ``(name, seconds, live kernels, their MB, peak MB while it ran, server MB, result)``."""
    rows, sockets = [], []
    try:
        for path in paths:
            rel = Path(path).resolve().relative_to(server.root.resolve()).as_posix()
            sampler = PeakSampler(server)
            start = time.perf_counter()
            _, ws, error = open_and_run(server, rel)
            seconds = time.perf_counter() - start
            sockets.append(ws)  # JupyterLab keeps the notebook open and connected
            time.sleep(settle)
            peak = sampler.stop()
            kernels = server.kernels_mb()
            total = sum(kernels.values())
            server_mb = rss_mb(server.proc.pid) - total
            rows.append(
                (Path(path).name, seconds, len(kernels), total, peak, server_mb, error or "ok")
            )
            print(
                f"{Path(path).name:42s} {seconds:6.0f} s  {len(kernels)} kernels alive  "
                f"{total:6.0f} MB after  {peak:6.0f} MB peak  server {server_mb:4.0f} MB  "
                f"{error or 'ok'}",
                flush=True,
            )
    finally:
        for ws in sockets:
            try:
                ws.close()
            except Exception:
                pass
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("notebooks", nargs="*", help="default: every notebook in notebooks/")
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--config", default=str(BINDER_CONFIG), help="server config file (default: Binder's)"
    )
    group.add_argument(
        "--jupyter-defaults",
        action="store_true",
        help="run the server with Jupyter's defaults (every kernel stays alive)",
    )
    parser.add_argument(
        "--settle", type=float, default=3.0, help="seconds to wait after each notebook"
    )
    parser.add_argument("--log", default=None, help="where the server's log goes")
    args = parser.parse_args(argv)
    if not Path("/proc/self/status").exists():
        parser.error("this script reads memory from Linux's /proc")
    paths = [Path(p).resolve() for p in args.notebooks] or sorted(
        (ROOT / "notebooks").glob("[0-9]*.ipynb")
    )
    config = None if args.jupyter_defaults else args.config
    log_path = args.log or str(Path(tempfile.gettempdir()) / "session_memory_server.log")
    shown = "Jupyter defaults" if config is None else os.path.relpath(config, ROOT)
    print(f"server settings: {shown} (server log: {log_path})", flush=True)
    # stopped from outside (timeout, kill): still stop the server and its kernels
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    server = Server(config, log_path)
    try:
        rows = run_session(server, paths, settle=args.settle)
    finally:
        server.stop()
    print(
        "\n| after notebook | run (s) | live kernels | kernels' memory after (MB) "
        "| peak while it ran (MB) | server (MB) | result |\n|---|---:|---:|---:|---:|---:|---|"
    )
    for name, seconds, n, total, peak, server_mb, result in rows:
        print(
            f"| {name} | {seconds:.0f} | {n} | {total:.0f} | {peak:.0f} | {server_mb:.0f} | {result} |"
        )
    session_peak = max((max(r[3], r[4]) for r in rows), default=0.0)
    failed = any(r[6] != "ok" for r in rows)
    verdict = "fits" if session_peak <= BAR_MB else "does NOT fit"
    print(f"\nhighest total of the live kernels: {session_peak:.0f} MB ({verdict} in {BAR_MB} MB)")
    return 1 if failed or session_peak > BAR_MB else 0


if __name__ == "__main__":
    sys.exit(main())
