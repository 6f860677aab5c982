"""What a learner sees in a real JupyterLab (headless Chromium, Playwright) when Binder's server
settings shut a kernel down: three notebooks opened and run in turn, the first one's notebook
shows "No Kernel", and running it again starts a fresh kernel (and the then least recently used
one goes). The server runs with binder/jupyter_server_config.py, as on Binder.

Needs Debian's ``chromium`` at /usr/bin/chromium, like the sliders' browser test: without it
this fails in CI (``CI`` set) and is skipped, saying why, elsewhere.
"""

import json
import time
import urllib.request
from pathlib import Path

import _lab
import nbformat

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts" / "browser"
STATUS = """() => {
  const out = {};
  for (const w of window.jupyterapp.shell.widgets('main')) {
    if (w.sessionContext) out[w.context.path] = w.sessionContext.kernelDisplayName;
  }
  return out;
}"""
OPEN_AND_RUN = """async (path) => {
  const app = window.jupyterapp;
  const panel = await app.commands.execute('docmanager:open', {path});
  await panel.sessionContext.ready;
  await app.commands.execute('notebook:run-all-cells');
}"""


def _wait_for(condition, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.5)
    return condition()


def test_a_shut_down_kernel_shows_no_kernel_and_a_rerun_starts_one(tmp_path):
    _lab.require_chromium()
    from playwright.sync_api import sync_playwright

    names = ["01_a.ipynb", "02_b.ipynb", "03_c.ipynb"]
    for name in names:
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)"}
        nb.metadata["kernelspec"]["language"] = "python"
        nb.cells = [nbformat.v4.new_code_cell(f"print({name[:2]!r})")]
        nbformat.write(nb, tmp_path / name)
    home = tmp_path / "home"
    config = f"--config={ROOT / 'binder' / 'jupyter_server_config.py'}"  # as on Binder
    with _lab.jupyterlab(tmp_path, home, extra_args=[config], log_path=tmp_path / "lab.log") as (
        base,
        token,
    ):
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=_lab.CHROMIUM, args=_lab.FLAGS, headless=True
            )
            page = browser.new_page(viewport={"width": 1300, "height": 700})
            page.goto(f"{base}/lab?token={token}")
            page.wait_for_function("() => window.jupyterapp && window.jupyterapp.started")
            for name in names:
                page.evaluate(OPEN_AND_RUN, name)
                _wait_for(lambda n=name: _idle_sessions(base, token).get(n))
            status = _wait_for(
                lambda: (s := page.evaluate(STATUS))["01_a.ipynb"] == "No Kernel" and s
            )
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.evaluate(
                "(p) => window.jupyterapp.commands.execute('docmanager:open', {path: p})", names[0]
            )
            page.screenshot(path=str(ARTIFACTS / "lru-kernel-shut-down.png"))
            assert status == {
                "01_a.ipynb": "No Kernel",
                "02_b.ipynb": "Python 3 (ipykernel)",
                "03_c.ipynb": "Python 3 (ipykernel)",
            }
            page.evaluate(OPEN_AND_RUN, names[0])  # the learner runs notebook 01 again
            status = _wait_for(
                lambda: (s := page.evaluate(STATUS))["02_b.ipynb"] == "No Kernel" and s
            )
            page.screenshot(path=str(ARTIFACTS / "lru-kernel-rerun.png"))
            browser.close()
        assert (
            status["01_a.ipynb"] == "Python 3 (ipykernel)" and status["03_c.ipynb"] != "No Kernel"
        )
        assert sorted(_idle_sessions(base, token)) == ["01_a.ipynb", "03_c.ipynb"]
    assert (tmp_path / "lab.log").read_text().count("Shutting down idle kernel") == 2


def _idle_sessions(base, token):
    """{notebook path: True} for the sessions whose kernel is idle."""
    with urllib.request.urlopen(f"{base}/api/sessions?token={token}", timeout=10) as response:
        sessions = json.loads(response.read())
    return {s["path"]: True for s in sessions if s["kernel"]["execution_state"] == "idle"}
