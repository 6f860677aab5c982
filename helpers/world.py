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
PROGRESS = "cell "  # what the runner prints after each cell: "cell 12/63"
FAILED = "FAILED "  # ... and before it, for a cell that raised: "FAILED AssertionError: ..."


def notebooks_folder():
    """The folder notebook 07 runs in and writes its ``cache/`` to: the working directory when
    notebook 07 is there (a notebook runs in its own folder, e.g. ``notebooks/`` or a
    translated copy in ``notebooks/zh/``), else the repository's ``notebooks`` folder."""
    here = Path.cwd()
    if (here / NOTEBOOK_07).is_file():
        return here
    return Path(__file__).resolve().parent.parent / "notebooks"


def run_notebook_07(seed, folder=None, timeout=900):
    """Execute notebook 07 with ``SEED = seed`` in a fresh kernel, its working directory the
    notebooks folder, so that its last cells write ``cache/07_world_seed{seed}.pt`` there.
    Prints ``cell i/n`` after each code cell, and ``FAILED ...`` for a cell that raised (one
    of 07's learning-outcome asserts that did not hold with this seed): the run goes on, so
    that the world is still saved, and says what failed. Nothing is written back into 07."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    seed = _validate.positive_int("seed", seed, minimum=0)
    folder = Path(folder) if folder is not None else notebooks_folder()
    path = folder / NOTEBOOK_07
    if not path.is_file():
        raise ValueError(f"folder must hold {NOTEBOOK_07}, got {folder}")
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
                print(f"{FAILED}{err.ename}: {err.evalue}", flush=True)
            print(f"{PROGRESS}{done}/{len(code)}", flush=True)


def build(seed, folder=None):
    """Run notebook 07 with ``SEED = seed`` in a child process (its own kernel), showing a
    progress bar over its cells. Returns the path of the world it wrote and the list of 07's
    cells that raised (its asserts that failed with this seed; empty when all held). Raises
    a RuntimeError with the end of 07's output if no world was written."""
    from tqdm.auto import tqdm

    seed = _validate.positive_int("seed", seed, minimum=0)
    folder = Path(folder) if folder is not None else notebooks_folder()
    package_root = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "helpers.world", "--seed", str(seed), "--folder", str(folder)]
    lines, failed = [], []
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
                failed.append(line[len(FAILED) :].strip())
            else:
                lines.append(line)
        if bar is not None:
            bar.close()
    path = folder / rlhf.world_path(seed)
    if child.returncode != 0 or not path.is_file():
        raise RuntimeError(
            f"notebook 07 wrote no world with SEED = {seed}; its cells that raised: {failed}\n"
            f"{''.join(lines[-20:])}Run notebook 07 yourself to see the cell that failed."
        )
    return path, failed


def load_or_build(seed, folder=None, device=None):
    """Notebook 07's world for ``SEED = seed``: loaded from ``cache/07_world_seed{seed}.pt``
    in the notebooks folder when it is there, else made by :func:`build` first.

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
        _, failed = build(seed, folder)
        how = (
            f"no {rlhf.world_path(seed)} yet: ran notebook 07 with SEED = {seed} to make it "
            f"({time.perf_counter() - start:.0f} s; the next run loads it)"
        )
        if failed:
            how += f"; {len(failed)} of 07's asserts did not hold with this seed: " + "; ".join(
                failed
            )
    world = rlhf.load_world(path, device)
    if world.get("seed") != seed:
        raise ValueError(f"{path} holds the world of SEED = {world.get('seed')}, not {seed}")
    return world, how


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
    run_notebook_07(args.seed, args.folder)


if __name__ == "__main__":
    main()
