"""What a learner sees before running anything (the repository's notebook view, or a notebook
just opened) is the committed outputs: they must be clean. No errors, no warnings, nothing on
stderr, no stray echoed values (a ``0`` or ``False`` under a cell), no progress bar frozen at its
first "0%" text or left unfinished (a run that stopped early at "53%" reads like a crash), and no widget output whose saved state is missing (it would show an error)."""

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(
    p for p in (ROOT / "notebooks").glob("**/[0-9]*.ipynb") if ".ipynb_checkpoints" not in p.parts
)
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
STRAY = re.compile(r"^(-?\d+(\.\d+)?|True|False|None)$")
FROZEN_BAR = re.compile(r"(^|\s)0%\||\|\s*0/\d+\s*\[|\?it/s\]")
BAR_COUNT = re.compile(r"\|\s*(\d+)/(\d+)\s*\[")
WARNING = re.compile(r"\b\w*Warning\b|\bwarn\(|Traceback \(most recent call last\)")


def problems(nb):
    """Every problem of a notebook's committed outputs, as 'cell N: what' strings."""
    states = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    found = []
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            where = f"cell {index} ({cell.get('id')})"
            kind = out.get("output_type")
            if kind == "error":
                found.append(f"{where}: an error output ({out.get('ename')})")
                continue
            if kind == "stream":
                text = "".join(out.get("text", ""))
                if out.get("name") == "stderr":
                    found.append(f"{where}: stderr output {text[:80]!r}")
                elif WARNING.search(text):
                    found.append(f"{where}: a warning in its output {text[:80]!r}")
                continue
            data = out.get("data", {})
            plain = "".join(data.get("text/plain", ""))
            if (
                kind == "execute_result"
                and set(data) == {"text/plain"}
                and STRAY.match(plain.strip())
            ):
                found.append(f"{where}: a stray echoed value {plain.strip()!r}")
            if WIDGET_VIEW in data:
                if data[WIDGET_VIEW].get("model_id") not in states:
                    found.append(f"{where}: a widget output without saved widget state")
                if FROZEN_BAR.search(plain):
                    found.append(f"{where}: a progress bar frozen at its first text {plain[:60]!r}")
                elif (count := BAR_COUNT.search(plain)) and int(count[1]) < int(count[2]):
                    # a bar that stopped short (a run that ended early) reads like a crash: give it
                    # the total it reached, or leave=False and a printed summary line
                    found.append(f"{where}: a progress bar left unfinished {plain[:60]!r}")
            if WARNING.search(plain):
                found.append(f"{where}: a warning in its output {plain[:80]!r}")
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[str(p.relative_to(ROOT)) for p in NOTEBOOKS])
def test_committed_outputs_are_clean(path):
    nb = nbformat.read(path, as_version=4)
    assert any(cell.get("outputs") for cell in nb.cells), f"{path.name} has no committed outputs"
    found = problems(nb)
    assert not found, f"{path.name}:\n" + "\n".join(found)


def bar_cell(text):
    """A code cell whose output is a tqdm bar widget showing ``text``."""
    view = {"model_id": "abc", "version_major": 2, "version_minor": 0}
    data = {"text/plain": text, WIDGET_VIEW: view}
    return nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output("display_data", data=data)])


def test_the_checker_catches_each_kind_of_problem():
    nb = nbformat.v4.new_notebook()
    out = nbformat.v4.new_output
    nb.cells = [
        nbformat.v4.new_code_cell(
            outputs=[out("error", ename="ValueError", evalue="", traceback=[])]
        ),
        nbformat.v4.new_code_cell(outputs=[out("stream", name="stderr", text="oops\n")]),
        nbformat.v4.new_code_cell(
            outputs=[out("stream", name="stdout", text="x.py:3: DeprecationWarning: old\n")]
        ),
        nbformat.v4.new_code_cell(outputs=[out("execute_result", data={"text/plain": "0"})]),
        bar_cell("train:   0%|          | 0/500 [00:00<?, ?it/s]"),
        bar_cell("train:  53%|#####     | 265/500 [00:02<00:01, 99.0it/s]"),
    ]
    found = problems(nb)
    assert any(f.startswith("cell 5 ") and "unfinished" in f for f in found), found
    for index, what in enumerate(["an error", "stderr", "a warning", "stray", "without saved"]):
        assert any(f.startswith(f"cell {index} ") and what in f for f in found), (index, found)
    assert any("frozen" in f for f in found)
    clean = nbformat.v4.new_notebook()
    clean.cells = [
        nbformat.v4.new_code_cell(outputs=[out("stream", name="stdout", text="loss 0.3\n")]),
        nbformat.v4.new_code_cell(
            outputs=[out("execute_result", data={"text/plain": "0", "image/png": "x"})]
        ),
    ]
    assert problems(clean) == []
