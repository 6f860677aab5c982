"""benchmarks/course_run.py gives the committed notebooks their progress bars' final state: a
bar closed or hidden during the run leaves no output (a live page shows nothing there), a bar
still on the page shows its final text."""

import sys

import nbformat
from _scripts import ROOT, load

sys.path.insert(0, str(ROOT / "benchmarks"))  # course_run imports its neighbour common.py
course_run = load("benchmarks/course_run.py")
VIEW, STATE = course_run.WIDGET_VIEW, course_run.WIDGET_STATE


def bar_states(prefix, value, total, visibility):
    """The saved widget state of one tqdm bar: a box of (text, progress, text) and a layout."""
    ids = [f"{prefix}{name}" for name in ("box", "left", "bar", "right", "layout")]
    box, left, bar, right, layout = ids
    return box, {
        box: {
            "model_name": "HBoxModel",
            "state": {
                "children": [f"IPY_MODEL_{left}", f"IPY_MODEL_{bar}", f"IPY_MODEL_{right}"],
                "layout": f"IPY_MODEL_{layout}",
            },
        },
        left: {"model_name": "HTMLModel", "state": {"value": "train: 96%"}},
        bar: {"model_name": "FloatProgressModel", "state": {"value": value, "max": total}},
        right: {"model_name": "HTMLModel", "state": {"value": f" {value}/{total} [00:01]"}},
        layout: {"model_name": "LayoutModel", "state": {"visibility": visibility}},
    }


def notebook_with(*bars):
    nb = nbformat.v4.new_notebook()
    states, cells = {}, []
    for prefix, value, total, visibility in bars:
        box, state = bar_states(prefix, value, total, visibility)
        states.update(state)
        data = {"text/plain": "train:   0%|", VIEW: {"model_id": box}}
        cells.append(
            nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output("display_data", data=data)])
        )
    nb.cells = cells
    nb.metadata["widgets"] = {STATE: {"state": states}}
    return nb


def test_a_hidden_bar_leaves_no_output_and_a_shown_bar_gets_its_final_text():
    nb = notebook_with(("a", 300, 300, "hidden"), ("b", 300, 300, None), ("c", 121, 300, None))
    assert course_run.finalize_progress_bars(nb) == 2
    assert nb.cells[0].outputs == []  # tqdm hid it (leave=False): a live page shows nothing
    assert nb.cells[1].outputs[0]["data"]["text/plain"].endswith("| 300/300 [00:01]")
    assert "| 121/300 " in nb.cells[2].outputs[0]["data"]["text/plain"]  # kept: the test of
    # committed outputs then fails on it as a bar left unfinished


def test_the_committed_notebooks_bars_were_finalised():
    """No committed notebook keeps the output of a bar that its saved state says was hidden."""
    for path in sorted((ROOT / "notebooks").glob("**/[0-9]*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        nb = nbformat.read(path, as_version=4)
        states = course_run._widget_states(nb)
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                view = out.get("data", {}).get(VIEW)
                if view:
                    assert not course_run._hidden(states, view["model_id"]), path.name
