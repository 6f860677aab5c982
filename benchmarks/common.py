"""What the benchmark scripts share: the ``-p NAME=VALUE`` option and the parameters it injects
into a notebook's cell tagged ``parameters``, a kernel's peak memory, and running the tagged
cells of a notebook in this process (how ``ppo_vs_sb3.py`` and ``ppo_scan.py`` run notebook 06's
own PPO).

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


def per_seed_table(doc, path_of, load, row, header, argv=None):
    """The main of the per-seed table scripts (``rlhf_world_table.py``, ``dpo_grpo_table.py``):
    for seeds 0 .. N-1, ``row(load(path_of(seed, folder)))`` where that file exists, printed as a
    Markdown table under ``header``; exit status 1 when no seed had a file."""
    import argparse

    from helpers import world

    parser = argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--folder", default=str(ROOT / "notebooks" / world.WORLD_DIR))
    parser.add_argument("--seeds", type=int, default=10, help="seeds 0 .. N-1 (default 10)")
    args = parser.parse_args(argv)
    rows = []
    for seed in range(args.seeds):
        path = Path(path_of(seed, args.folder))
        if path.is_file():
            rows.append(row(load(path)))
        else:
            print(f"seed {seed}: no file at {path}")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for r in rows:
        print("| " + " | ".join(r) + " |")
    return 0 if rows else 1
