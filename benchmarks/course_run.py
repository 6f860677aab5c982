"""Run every notebook as a learner's "Run All" would, each in a fresh kernel, and report
wall time and the kernel's peak memory; with --write, save the outputs into the notebooks.

    python benchmarks/course_run.py            # time and measure all notebooks
    python benchmarks/course_run.py --write    # ... and commit-ready outputs in place
    python benchmarks/course_run.py notebooks/01_policy_gradient.ipynb -p SEED=3

With --write, each tqdm progress bar's text (what a page that cannot run widgets shows, such
as the repository's notebook view) is its final state from the saved widget state, not the
"0%" it had when first displayed; a widget closed or hidden during the run (a finished bar
with ``leave=False``) leaves no output behind, as in a live run. A bar that a run leaves short
of its total stays (tqdm keeps it, red), and tests/test_committed_outputs.py fails on it.

With --write, the Chinese notebooks (notebooks/zh/) of the notebooks written are rebuilt from
them (``i18n/build.py``), so they keep the same outputs; a Chinese notebook itself is never
written here (its outputs are the English one's).

Peak memory is the kernel process's peak resident set size (VmHWM, Linux only). The
kernels import this checkout's ``helpers`` (its root goes first on ``PYTHONPATH``), whichever
checkout the editable install points to.
"""

import argparse
import html
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from common import ROOT, add_param_option, inject_parameters, parse_params, peak_rss_mb

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def run_notebook(path, write=False, params=None, timeout=600, retries=1):
    """Execute ``path`` top to bottom in a fresh kernel; return (seconds, peak MB, error or None).

    A cell that gets no reply within ``timeout`` seconds is retried in a fresh kernel
    (``retries`` times): nbclient can wait forever on an idle kernel (nbclient issue 312)."""
    for _ in range(retries):
        seconds, peak, error = _run_once(path, write, params, timeout)
        if error is None or "Timeout" not in error:
            return seconds, peak, error
        print(
            f"{Path(path).name}: no reply within {timeout} s ({error}); retrying in a fresh kernel",
            flush=True,
        )
    return _run_once(path, write, params, timeout)


def _run_once(path, write, params, timeout):
    nb = nbformat.read(path, as_version=4)
    inject_parameters(nb, params)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(Path(path).parent)}},
    )
    error, peak = None, float("nan")
    start = time.perf_counter()
    with client.setup_kernel():
        pid = client.km.provisioner.process.pid
        try:
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
        except Exception as err:  # a failing cell: report it, keep going with other notebooks
            error = f"{type(err).__name__}: {str(err).strip().splitlines()[-1][:200]}"
        peak = peak_rss_mb(pid)
    seconds = time.perf_counter() - start
    if write and error is None:
        client.set_widgets_metadata()
        finalize_progress_bars(nb)
        nb.metadata["kernelspec"] = KERNELSPEC  # so JupyterLab starts the kernel without asking
        nbformat.write(nb, path)
    return seconds, peak, error


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def _widget_states(nb):
    return nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})


def progress_text(states, model_id):
    """The text of the tqdm bar ``model_id`` in its saved (final) state, as tqdm prints it
    (``desc: 32%|###       | 16000/50000 [...]``), or None if it is not a tqdm bar."""
    box = states.get(model_id, {})
    children = [c.removeprefix("IPY_MODEL_") for c in box.get("state", {}).get("children", [])]
    if box.get("model_name") != "HBoxModel" or len(children) != 3:
        return None
    left, bar, right = (states.get(c, {}) for c in children)
    if [m.get("model_name") for m in (left, bar, right)] != [
        "HTMLModel",
        "FloatProgressModel",
        "HTMLModel",
    ]:
        return None
    value, top = bar["state"].get("value", 0.0), bar["state"].get("max", 0.0)
    frac = min(max(value / top, 0.0), 1.0) if top else 1.0
    filled = "\u2588" * round(10 * frac)

    def text(m):
        return html.unescape(m["state"].get("value", "")).replace("\u2007", " ")

    return f"{text(left)}|{filled:10s}|{text(right)}"


def _hidden(states, model_id):
    """Whether the widget was hidden during the run: tqdm closes a finished ``leave=False`` bar
    by hiding its box (``layout.visibility = 'hidden'``), and nbclient keeps its state."""
    layout = states.get(model_id, {}).get("state", {}).get("layout", "")
    layout = states.get(layout.removeprefix("IPY_MODEL_"), {})
    return layout.get("state", {}).get("visibility") == "hidden"


def finalize_progress_bars(nb):
    """Give each tqdm bar's output the text of its final state, and drop the outputs of widgets
    that were closed during the run (they are not in the saved widget state, so no page can
    show them). Changes ``nb`` in place; returns how many bars were finalised."""
    states, done = _widget_states(nb), 0
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        kept = []
        for out in cell.get("outputs", []):
            view = out.get("data", {}).get(WIDGET_VIEW)
            if view is None:
                kept.append(out)
                continue
            if view.get("model_id") not in states or _hidden(states, view["model_id"]):
                continue  # closed during the run: a live page shows nothing there either
            final = progress_text(states, view["model_id"])
            if final is not None:
                out["data"]["text/plain"] = final
                done += 1
            kept.append(out)
        cell["outputs"] = kept
    return done


def rebuild_chinese(paths):
    """Rebuild the Chinese notebook of each English notebook in ``paths`` that has one."""
    from i18n import build as i18n  # the checkout's i18n/build.py (common put ROOT first)

    for path in paths:
        target = i18n.built_path(Path(path).resolve())
        if not target.exists():
            continue
        found = i18n.problems(Path(path).resolve())
        if found:
            print(
                f"not rebuilt: {target.relative_to(ROOT)} ({len(found)} cell(s) to translate first)"
            )
            continue
        nbformat.write(i18n.build(Path(path).resolve()), target)
        print(f"rebuilt {target.relative_to(ROOT)} from {Path(path).name}", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("notebooks", nargs="*", help="default: every notebook in notebooks/")
    parser.add_argument("--write", action="store_true", help="save the outputs into the notebooks")
    add_param_option(parser)
    args = parser.parse_args(argv)
    params = parse_params(args.param)
    paths = [Path(p) for p in args.notebooks] or sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    if args.write and any(p.resolve().parent.name == "zh" for p in paths):
        parser.error(
            "a Chinese notebook's outputs are its English notebook's: --write the English one "
            "(its Chinese notebook is rebuilt from it)"
        )
    rows, total, failed, written = [], 0.0, False, []
    for path in paths:
        seconds, peak, error = run_notebook(path, write=args.write, params=params)
        total += seconds
        failed |= error is not None
        if args.write and error is None:
            written.append(path)
        rows.append((path.name, seconds, peak, error or "ok"))
        print(f"{path.name:45s} {seconds:7.1f} s {peak:8.0f} MB  {error or 'ok'}", flush=True)
    rebuild_chinese(written)
    print(f"{'total':45s} {total:7.1f} s")
    print("\n| notebook | wall time (s) | peak kernel memory (MB) | result |\n|---|---:|---:|---|")
    for name, seconds, peak, result in rows:
        print(f"| {name} | {seconds:.0f} | {peak:.0f} | {result} |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
