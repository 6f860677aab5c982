"""The sliders in a real JupyterLab, driven in headless Chromium by Playwright.

For each notebook with sliders: start JupyterLab on loopback (random free port, token
auth), open the notebook, run all its cells, move every slider, and check that what it
draws changed and that no widget failed to display. Screenshots before and after each move
go to ``test-artifacts/browser/``.

Needs Debian's ``chromium`` at /usr/bin/chromium (``apt-get install -y chromium``; .ci/run
installs it). Without it the test fails in CI (``CI`` set) and is skipped, saying why,
elsewhere.
"""

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts" / "browser"
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
SLIDER_NOTEBOOKS = [
    "02_baseline.ipynb",
    "05_off_policy_importance_sampling.ipynb",
    "06_ppo.ipynb",
    "07_rlhf_tiny_gpt.ipynb",
    "08_dpo_grpo.ipynb",
]
RUN_ALL_TIMEOUT_S = 900


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        message = f"Debian's chromium is not installed at {CHROMIUM}: apt-get install -y chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    home = tmp_path_factory.mktemp("lab")
    settings = home / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    docmanager = home / "settings" / "@jupyterlab" / "docmanager-extension"
    docmanager.mkdir(parents=True)
    # never autosave: the browser's run must not overwrite the committed notebooks
    (docmanager / "plugin.jupyterlab-settings").write_text(json.dumps({"autosave": False}))
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(
        os.environ,
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTER_CONFIG_DIR=str(home / "config"),
        IPYTHONDIR=str(home / "ipython"),
        MPLBACKEND="module://matplotlib_inline.backend_inline",
    )
    log = open(home / "lab.log", "w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={ROOT}",
            "--LabApp.expose_app_in_browser=True",
            "--allow-root",
            f"--LabApp.user_settings_dir={home / 'settings'}",
            f"--LabApp.workspaces_dir={home / 'workspaces'}",
            "--ServerApp.port_retries=0",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if server.poll() is not None:
                pytest.fail(f"JupyterLab exited: {(home / 'lab.log').read_text()[-2000:]}")
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail("JupyterLab did not start within 60 s")
    yield base, token
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


FIND_PANEL = """(name) => {
  const app = window.jupyterapp;
  if (!app) return null;
  for (const w of app.shell.widgets('main')) {
    if (w.context && w.context.path && w.context.path.endsWith(name) && w.sessionContext) return w;
  }
  return null;
}"""

RUN_STATE = (
    """(name) => {
  const panel = ("""
    + FIND_PANEL
    + """)(name);
  if (!panel || !panel.content || !panel.sessionContext || !panel.sessionContext.session) return null;
  const cells = panel.content.model.cells;
  let pending = 0, errors = 0;
  for (let i = 0; i < cells.length; i++) {
    const c = cells.get(i);
    if (c.type !== 'code') continue;
    if (!c.executionCount) pending++;
    for (let j = 0; j < c.outputs.length; j++) if (c.outputs.get(j).type === 'error') errors++;
  }
  return {status: panel.sessionContext.kernelDisplayStatus, pending, errors};
}"""
)

VIEW = """() => Array.from(document.querySelectorAll('.jp-Notebook .widget-image img, .jp-Notebook .jp-OutputArea-output img'))
  .map(i => i.src.length + ':' + i.src.slice(-64)).join('|') + '#' +
  Array.from(document.querySelectorAll('.jp-Notebook .widget-readout, .jp-Notebook .widget-html-content, .jp-Notebook .widget-label'))
  .map(e => e.textContent).join('|')"""


def _wait_for_run_all(page, name):
    deadline = time.time() + RUN_ALL_TIMEOUT_S
    state = None
    while time.time() < deadline:
        state = page.evaluate(RUN_STATE, name)
        if state and state["errors"]:
            pytest.fail(f"{name}: a cell raised an error in JupyterLab: {state}")
        if state and state["pending"] == 0 and state["status"] == "idle":
            return
        time.sleep(1)
    pytest.fail(f"{name}: Run All did not finish within {RUN_ALL_TIMEOUT_S} s: {state}")


@pytest.mark.parametrize("name", SLIDER_NOTEBOOKS)
def test_sliders_redraw_in_jupyterlab(lab, browser, name):
    base, token = lab
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = name.removesuffix(".ipynb")
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(
            f"{base}/lab/tree/notebooks/{name}?token={token}&reset", wait_until="domcontentloaded"
        )
        find = "(name) => { const p = (" + FIND_PANEL + ")(name); "
        try:  # a notebook without kernel metadata makes JupyterLab ask; take its default
            page.locator(".jp-Dialog .jp-mod-accept").click(timeout=10_000)
        except Exception:
            pass
        try:
            page.wait_for_function(
                find
                + "return p && p.sessionContext.session && p.sessionContext.kernelDisplayStatus === 'idle'; }",
                arg=name,
                timeout=300_000,
            )
        except Exception:
            page.screenshot(path=str(ARTIFACTS / f"{stem}_kernel-not-ready.png"))
            raise
        page.evaluate(find + "window.jupyterapp.shell.activateById(p.id); }", name)
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        _wait_for_run_all(page, name)
        sliders = page.locator(".jp-Notebook .widget-slider")
        assert sliders.count() >= 1, f"{name}: no slider rendered"
        for i in range(sliders.count()):
            slider = sliders.nth(i)
            slider.scroll_into_view_if_needed()
            page.wait_for_timeout(500)
            label = slider.locator(".widget-label").first.text_content() or f"slider{i}"
            tag = f"{stem}_{i}_{''.join(ch if ch.isalnum() else '-' for ch in label.strip())}"
            before = page.evaluate(VIEW)
            page.screenshot(path=str(ARTIFACTS / f"{tag}_before.png"))
            handle = slider.locator(".noUi-handle").first
            handle.focus()
            for _ in range(3):
                page.keyboard.press("ArrowRight")
            page.wait_for_function(f"() => ({VIEW})() !== {json.dumps(before)}", timeout=120_000)
            page.wait_for_timeout(1000)  # let the new image paint before the screenshot
            page.screenshot(path=str(ARTIFACTS / f"{tag}_after.png"))
            assert page.evaluate(VIEW) != before, f"{name}: moving '{label}' changed nothing"
        text = page.locator(".jp-Notebook").inner_text()
        assert "Error displaying widget" not in text, f"{name}: a widget failed to display"
        assert "model not found" not in text.lower(), f"{name}: a widget model was not found"
    finally:
        page.close()
