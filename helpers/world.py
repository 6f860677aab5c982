"""Notebook 07's world, for notebook 08: read it from the cache that 07 writes, or make it by
running notebook 07 itself in a fresh kernel (which writes the cache) when it is not there.

A world is what ``rlhf.save_world`` stored: the SFT model, the reward model and its
normalisation, the comparisons it was trained on, 07's held-out evaluation prompts, the
SFT and PPO policies' scores on them, and best-of-n. Making it anew runs every cell of 07
(pretraining, SFT, the reward model, PPO, best-of-n): a couple of minutes on a laptop CPU.

    python -m helpers.world --seed 3     # run notebook 07 with SEED = 3 (writes its world)
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from helpers import _validate, rlhf

NOTEBOOK_07 = "07_rlhf_tiny_gpt.ipynb"
# The notebooks this module runs: a notebook that imports it needs them beside it
# (tools/notebook_needs.py reads this; the Colab set-up cell fetches them).
NOTEBOOKS_RUN = (NOTEBOOK_07,)
PROGRESS = "cell "  # what the runner prints after each cell: "cell 12/63"
FAILED = "FAILED "  # ... and before it, for a cell that raised: "FAILED AssertionError: ..."


def notebooks_folder():
    """The folder notebook 07 runs in and writes its ``cache/`` to: the working directory when
    notebook 07 is there (a notebook runs in its own folder, e.g. ``notebooks/`` or a
    translated copy in ``notebooks/zh/``; on Google Colab the set-up cell fetches 07 into it),
    else the repository's ``notebooks`` folder when the package runs from a clone, else the
    working directory (where :func:`build` then asks for notebook 07)."""
    here = Path.cwd()
    if (here / NOTEBOOK_07).is_file():
        return here
    clone = Path(__file__).resolve().parent.parent / "notebooks"
    return clone if (clone / NOTEBOOK_07).is_file() else here


def run_notebook_07(seed, folder=None, timeout=900):
    """Execute notebook 07 with ``SEED = seed`` in a fresh kernel, its working directory the
    notebooks folder, so that its last cells write ``cache/07_world_seed{seed}.pt`` there.
    Prints ``cell i/n`` after each code cell. A cell that raises (one of 07's learning-outcome
    asserts that does not hold with this seed) stops the run as it stops a learner's Run All:
    it prints ``FAILED cell i/n: ...`` and exits with status 1, before 07 saves its world.
    Nothing is written back into 07."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    seed = _validate.positive_int("seed", seed, minimum=0)
    folder = Path(folder) if folder is not None else notebooks_folder()
    path = _notebook_07(folder)
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if not tagged:
        raise ValueError(f"{path} has no cell tagged 'parameters' (where SEED is set)")
    tagged[0].source += f"\nSEED = {seed}  # set by helpers.world"
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    )
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    with client.setup_kernel():
        for done, index in enumerate(code, start=1):
            try:
                client.execute_cell(nb.cells[index], index)
            except CellExecutionError as err:
                evalue = " ".join(str(err.evalue).split())
                print(f"{FAILED}cell {done}/{len(code)}: {err.ename}: {evalue}", flush=True)
                return 1
            print(f"{PROGRESS}{done}/{len(code)}", flush=True)
    return 0


def build(seed, folder=None):
    """Run notebook 07 with ``SEED = seed`` in a child process (its own kernel), showing a
    progress bar over its cells, and return the path of the world it wrote.

    Notebook 08 stands on 07's outcomes (its reward model's accuracy, PPO's gain), so a 07
    that fails is an error here too, never skipped: a RuntimeError names 07's cell that
    raised and its message (e.g. the assert that did not hold with this seed), and no world
    of that run is kept. It is also a RuntimeError when 07 ends without writing a world."""
    from tqdm.auto import tqdm

    seed = _validate.positive_int("seed", seed, minimum=0)
    folder = Path(folder) if folder is not None else notebooks_folder()
    _notebook_07(folder)  # before a child process is started for it
    path = folder / rlhf.world_path(seed)
    package_root = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "helpers.world", "--seed", str(seed), "--folder", str(folder)]
    lines, failed = [], None
    with subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=package_root,
    ) as child:
        bar = None
        for line in child.stdout:
            if line.startswith(PROGRESS):
                done, total = (int(x) for x in line[len(PROGRESS) :].split("/"))
                if bar is None:
                    bar = tqdm(total=total, desc=f"running notebook 07 (SEED = {seed})")
                bar.update(done - bar.n)
            elif line.startswith(FAILED):
                failed = line[len(FAILED) :].strip()
            else:
                lines.append(line)
        if bar is not None:
            bar.close()
    if failed is not None or child.returncode != 0:
        path.unlink(missing_ok=True)  # a failing 07's world is not one to build on
        what = failed or f"its runner exited with status {child.returncode}"
        raise RuntimeError(
            f"notebook 07 failed with SEED = {seed}, so notebook 08 has no world to start from: "
            f"{what}\n{''.join(lines[-20:])}Run notebook 07 yourself with this SEED to see it."
        )
    if not path.is_file():
        raise RuntimeError(
            f"notebook 07 ran with SEED = {seed} but wrote no {rlhf.world_path(seed)}\n"
            f"{''.join(lines[-20:])}Run notebook 07 yourself to see why."
        )
    return path


def load_or_build(seed, folder=None, device=None):
    """Notebook 07's world for ``SEED = seed``: loaded from ``cache/07_world_seed{seed}.pt``
    in the notebooks folder when it is there, else made by :func:`build` first (which raises
    a RuntimeError if notebook 07 fails with this seed).

    Returns ``(world, how)``: the world as :func:`rlhf.load_world` gives it (models on
    ``device``, frozen) and a sentence that says where it came from."""
    seed = _validate.positive_int("seed", seed, minimum=0)
    folder = Path(folder) if folder is not None else notebooks_folder()
    path = folder / rlhf.world_path(seed)
    if path.is_file():
        age = time.time() - path.stat().st_mtime
        how = (
            f"loaded {rlhf.world_path(seed)}, written by notebook 07 with SEED = {seed} "
            f"{_age(age)} ago"
        )
    else:
        start = time.perf_counter()
        build(seed, folder)  # raises if notebook 07 fails with this seed
        how = (
            f"no {rlhf.world_path(seed)} yet: ran notebook 07 with SEED = {seed} to make it, "
            f"every assert of 07 holding ({time.perf_counter() - start:.0f} s; the next run "
            "loads it)"
        )
    world = rlhf.load_world(path, device)
    if world.get("seed") != seed:
        raise ValueError(f"{path} holds the world of SEED = {world.get('seed')}, not {seed}")
    return world, how


def _notebook_07(folder):
    """The path of notebook 07 in ``folder``; a ValueError that says where to put it if absent."""
    path = Path(folder) / NOTEBOOK_07
    if not path.is_file():
        raise ValueError(
            f"folder must hold {NOTEBOOK_07}, got {folder}: this world is made by running "
            f"notebook 07, so put {NOTEBOOK_07} from the course's notebooks/ folder there, beside "
            "this notebook (on Google Colab, the notebook's set-up cell fetches it)"
        )
    return path


def _age(seconds):
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds >= 2 * size:
            return f"{seconds / size:.0f} {unit}"
    return f"{seconds:.0f} seconds"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--folder", default=None, help="the notebooks folder (default: the repo's)")
    args = parser.parse_args(argv)
    return run_notebook_07(args.seed, args.folder)


if __name__ == "__main__":
    sys.exit(main())
