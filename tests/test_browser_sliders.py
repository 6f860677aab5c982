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
import time
from pathlib import Path

import _lab
import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts" / "browser"
SLIDER_NOTEBOOKS = [
    "02_baseline.ipynb",
    "05_off_policy_importance_sampling.ipynb",
    "06_ppo.ipynb",
    "07_rlhf_tiny_gpt.ipynb",
    "08_dpo_grpo.ipynb",
    "09_reasoning_verifiable_reward.ipynb",
    "zh/02_baseline.ipynb",  # the Chinese course: its kernel must speak Chinese
]
# a slider label each Chinese notebook must show: helpers.lang found the notebook's language
CHINESE_LABELS = {"zh/02_baseline.ipynb": "基线 b"}
RUN_ALL_TIMEOUT_S = 900


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    _lab.require_chromium()
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
    with _lab.jupyterlab(
        ROOT,
        home,
        extra_args=[f"--LabApp.user_settings_dir={home / 'settings'}"],
        extra_env={"MPLBACKEND": "module://matplotlib_inline.backend_inline"},
    ) as (base, token):
        yield base, token


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=_lab.CHROMIUM, args=_lab.FLAGS, headless=True)
        yield b
        b.close()


FIND_PANEL = """(name) => {
  const app = window.jupyterapp;
  if (!app) return null;
  for (const w of app.shell.widgets('main')) {
    if (w.context && w.context.path === 'notebooks/' + name && w.sessionContext) return w;
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
    stem = name.removesuffix(".ipynb").replace("/", "_")
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
        if name in CHINESE_LABELS:
            shown = [
                sliders.nth(i).locator(".widget-label").first.text_content()
                for i in range(sliders.count())
            ]
            assert CHINESE_LABELS[name] in shown, f"{name}: slider labels {shown}, not Chinese"
        for i in range(sliders.count()):
            slider = sliders.nth(i)
            slider.scroll_into_view_if_needed()
            page.wait_for_timeout(500)
            label = slider.locator(".widget-label").first.text_content() or f"slider{i}"
            tag = f"{stem}_{i}_{''.join(ch if ch.isascii() and ch.isalnum() else '-' for ch in label.strip())}"
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
