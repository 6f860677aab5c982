"""What the benchmark scripts share: the ``-p NAME=VALUE`` option and the parameters it injects
into a notebook's cell tagged ``parameters``, a kernel's peak memory, running the tagged cells of
a notebook in this process (how ``ppo_vs_sb3.py`` and ``ppo_scan.py`` run notebook 06's own PPO),
and running a whole notebook per seed with a cell appended that reports its own variables (how
``dpo_grpo_table.py`` and ``rlvr_seed_table.py`` read notebooks 08 and 09: the notebooks write
nothing for a benchmark).

The scripts import it as a sibling module (``from common import ...``): Python puts a script's
own folder first on ``sys.path``, so no script edits the path to find another. Importing it puts
this checkout's root first on ``sys.path`` and on ``PYTHONPATH`` (inherited by the kernels the
scripts start), so the scripts and their kernels import this checkout's ``helpers``, whichever
checkout the editable install points to.
"""

import ast
import os
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))


def peak_rss_mb(pid):
    """Peak resident memory of process ``pid`` in MB (VmHWM, Linux only), or NaN."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def inject_parameters(nb, params):
    """Append ``NAME = value`` lines to the cell tagged ``parameters`` (papermill's convention)."""
    if not params:
        return
    for cell in nb.cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            cell.source += "\n" + "\n".join(f"{k} = {v!r}  # injected" for k, v in params.items())
            return
    raise ValueError("the notebook has no cell tagged 'parameters'")


def add_param_option(parser):
    """``-p NAME=VALUE`` (repeatable): override a value of the notebook's parameters cell."""
    parser.add_argument(
        "-p",
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a value of the parameters cell, e.g. -p SEED=3",
    )


def parse_params(items):
    """``["SEED=3", ...]`` -> ``{"SEED": 3, ...}`` (values read as Python literals)."""
    params = {}
    for item in items:
        name, _, value = item.partition("=")
        params[name] = ast.literal_eval(value)
    return params


def tagged_cells(path, tags):
    """The sources of the cells of notebook ``path`` tagged ``tags``, in that order (one cell
    per tag, or a ``RuntimeError`` that names the missing ones)."""
    nb = nbformat.read(path, as_version=4)
    cells = {t: c.source for c in nb.cells for t in c.get("metadata", {}).get("tags", [])}
    missing = [t for t in tags if t not in cells]
    if missing:
        raise RuntimeError(f"expected a cell tagged each of {missing} in {Path(path).name}")
    return [cells[t] for t in tags]


def run_with_report(path, seed, report, timeout=900):
    """Run notebook ``path`` as a learner's Run All in a fresh kernel, with ``SEED = seed``
    injected into its parameters cell and the code ``report`` appended as a last cell: it reads
    the notebook's own variables and prints ``RESULT <json>`` (the notebook writes nothing for a
    benchmark). Returns ``(result, failed)``: the parsed JSON (``None`` when no cell printed it)
    and the first error as ``"Name: message"`` (``None`` when every cell ran)."""
    import json

    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    inject_parameters(nb, {"SEED": seed})
    nb.cells.append(nbformat.v4.new_code_cell(report))
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    failed, result = None, None
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "error" and failed is None:
                failed = f"{out.ename}: {out.evalue}"[:80]
            if out.output_type == "stream" and "RESULT " in out.text:
                result = json.loads(out.text.split("RESULT ", 1)[1])
    return result, failed


def print_table(header, rows):
    """Print ``rows`` (lists of strings) as a Markdown table under ``header``."""
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for r in rows:
        print("| " + " | ".join(r) + " |")


def seed_table(doc, notebook, report, row, header, argv=None):
    """The main of the per-seed table scripts (``dpo_grpo_table.py``, ``rlvr_seed_table.py``):
    run ``notebook`` on each seed with ``report`` appended (see ``run_with_report``) and print a
    Markdown table with one row per seed: the seed, ``row(result)`` (the columns ``header``
    names), whether every assert held, and the notebook's seconds by its own clock (``result``'s
    ``"seconds"``). Exit status 1 when any seed failed an assert or printed no result."""
    import argparse
    import time

    parser = argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", type=int, default=10, help="how many seeds (default 10)")
    parser.add_argument("--first-seed", type=int, default=0)
    args = parser.parse_args(argv)
    rows, failures = [], 0
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        start = time.perf_counter()
        result, failed = run_with_report(notebook, seed, report)
        failures += failed is not None or result is None
        status = "pass" if failed is None else failed
        if result is None:
            rows.append([str(seed)] + [""] * len(header) + [failed or "no result", ""])
        else:
            rows.append([str(seed), *row(result), status, f"{result['seconds']:.0f}"])
        print(f"seed {seed}: {status} ({time.perf_counter() - start:.0f} s)", flush=True)
    print()
    print_table(["seed", *header, "asserts", "s"], rows)
    print(f"\n{len(rows) - failures}/{len(rows)} seeds passed every assert")
    return 1 if failures else 0
