"""Notebook 07's world, for notebook 08: where it is saved (``path``), its file (``save``,
``load``), and how it is made when it is missing (``load_or_build`` runs notebook 07 itself in
a fresh kernel, which saves it).

A world is what notebook 07 saves: the SFT model, the reward model and its normalisation, the
comparisons it was trained on, 07's held-out evaluation prompts, the SFT and PPO policies'
scores on them, and best-of-n. Making it anew runs every cell of 07 (pretraining, SFT, the
reward model, PPO, best-of-n): a couple of minutes on a laptop CPU.

    python -m helpers.world --seed 3     # run notebook 07 with SEED = 3 (writes its world)
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import torch

from helpers import _validate, gpt, rlhf

NOTEBOOK_07 = "07_rlhf_tiny_gpt.ipynb"
# The notebooks this module runs: a notebook that imports it needs them beside it
# (tools/notebook_needs.py reads this; the Colab set-up cell fetches them).
NOTEBOOKS_RUN = (NOTEBOOK_07,)
PROGRESS = "cell "  # what the runner prints after each cell: "cell 12/63"
FAILED = "FAILED "  # ... and before it, for a cell that raised: "FAILED AssertionError: ..."


WORLD_DIR = Path("cache")  # relative to the notebooks' folder, where a notebook runs
MODEL_KEYS = ("vocab_size", "block_size", "n_layer", "n_head", "n_embd")


def path(seed, folder=WORLD_DIR):
    """Where notebook 07 run with ``SEED = seed`` saves its world: ``cache/07_world_seed{seed}.pt``
    (under ``folder``). The one place the seed is checked."""
    return Path(folder) / f"07_world_seed{_validate.seed(seed)}.pt"


def _plain(x):
    """``x`` with tensors on the CPU and numpy scalars as Python numbers, so that
    ``torch.load(..., weights_only=True)`` can read it back."""
    if isinstance(x, torch.Tensor):
        return x.detach().cpu()
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(_plain(v) for v in x)
    if hasattr(x, "dtype") and hasattr(x, "tolist"):  # numpy (np.float64 is also a float)
        return x.tolist()
    if isinstance(x, (str, bool, int, float)) or x is None:
        return x
    raise ValueError(f"world entries must be tensors, numbers, strings, lists or dicts, got {x!r}")


def save(world, folder=WORLD_DIR):
    """Save ``world`` (a dict) with ``torch.save`` at ``path(world["seed"], folder)``, creating
    its folder; returns that path.

    ``world["config"]`` must hold the model's shape (``MODEL_KEYS``); ``world["sft"]`` and
    ``world["reward_model"]`` are state dicts (of a ``gpt.GPT`` and a ``rlhf.RewardModel``).
    Written to a temporary file first, so an interrupted save never leaves half a world.
    """
    if not isinstance(world, dict):
        raise ValueError(f"world must be a dict, got {type(world).__name__}")
    missing = [k for k in ("seed", "config", "sft", "reward_model") if k not in world]
    missing += [f"config[{k!r}]" for k in MODEL_KEYS if k not in world.get("config", {})]
    if missing:
        raise ValueError(f"world must hold {', '.join(missing)}")
    file = path(world["seed"], folder)
    plain = _plain(world)  # raises on an entry it cannot store, before anything is written
    file.parent.mkdir(parents=True, exist_ok=True)
    tmp = file.with_suffix(".tmp")
    torch.save(plain, tmp)
    tmp.replace(file)
    return file


def gpt_from_state(config, state, device=None):
    """A ``gpt.GPT`` of ``config``'s shape with the weights ``state``, in eval mode, frozen."""
    model = gpt.GPT(**{k: config[k] for k in MODEL_KEYS})
    model.load_state_dict(state)
    return model.to(device).eval().requires_grad_(False)


def load(file, device=None):
    """Read a world saved by :func:`save` (``weights_only=True``). Returns the dict with
    ``world["sft"]`` a frozen ``gpt.GPT`` and ``world["reward_model"]`` a frozen
    ``rlhf.RewardModel``, both on ``device``; everything else as it was saved."""
    file = Path(file)
    if not file.is_file():
        raise FileNotFoundError(
            f"no world at {file}: run notebook 07 with this SEED first (it saves its world there)"
        )
    world = torch.load(file, map_location="cpu", weights_only=True)
    config = world["config"]
    try:
        world["sft"] = gpt_from_state(config, world["sft"], device)
        reward_model = rlhf.RewardModel(gpt.GPT(**{k: config[k] for k in MODEL_KEYS}))
        reward_model.load_state_dict(world["reward_model"])
    except RuntimeError as err:  # parameter names or shapes of another version of helpers.gpt
        raise ValueError(
            f"{file} holds models that this version of helpers.gpt cannot load "
            f"({str(err).splitlines()[0]}): delete it and run notebook 07 again"
        ) from err
    world["reward_model"] = reward_model.to(device).eval().requires_grad_(False)
    return world


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

    seed = _validate.seed(seed)
    folder = Path(folder) if folder is not None else notebooks_folder()
    notebook = _notebook_07(folder)
    nb = nbformat.read(notebook, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if not tagged:
        raise ValueError(f"{notebook} has no cell tagged 'parameters' (where SEED is set)")
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
    name = path(seed)
    folder = Path(folder) if folder is not None else notebooks_folder()
    _run_07_in_child(seed, folder, name)
    return folder / name


def _run_07_in_child(seed, folder, name):
    """:func:`build`'s work, for a seed already checked: ``name`` is ``path(seed)``."""
    from tqdm.auto import tqdm

    _notebook_07(folder)  # before a child process is started for it
    file = folder / name
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
        file.unlink(missing_ok=True)  # a failing 07's world is not one to build on
        what = failed or f"its runner exited with status {child.returncode}"
        raise RuntimeError(
            f"notebook 07 failed with SEED = {seed}, so notebook 08 has no world to start from: "
            f"{what}\n{''.join(lines[-20:])}Run notebook 07 yourself with this SEED to see it."
        )
    if not file.is_file():
        raise RuntimeError(
            f"notebook 07 ran with SEED = {seed} but wrote no {name}\n"
            f"{''.join(lines[-20:])}Run notebook 07 yourself to see why."
        )


def load_or_build(seed, folder=None, device=None):
    """Notebook 07's world for ``SEED = seed``: loaded from ``cache/07_world_seed{seed}.pt``
    in the notebooks folder when it is there, else made by :func:`build` first (which raises
    a RuntimeError if notebook 07 fails with this seed).

    Returns ``(world, how)``: the world as :func:`load` gives it (models on ``device``,
    frozen) and a sentence that says where it came from."""
    name = path(seed)  # cache/07_world_seed{seed}.pt: the seed is checked here, once
    folder = Path(folder) if folder is not None else notebooks_folder()
    file = folder / name
    if file.is_file():
        age = time.time() - file.stat().st_mtime
        how = f"loaded {name}, written by notebook 07 with SEED = {seed} {_age(age)} ago"
    else:
        start = time.perf_counter()
        _run_07_in_child(seed, folder, name)  # raises if notebook 07 fails with this seed
        how = (
            f"no {name} yet: ran notebook 07 with SEED = {seed} to make it, "
            f"every assert of 07 holding ({time.perf_counter() - start:.0f} s; the next run "
            "loads it)"
        )
    world = load(file, device)
    if world.get("seed") != seed:
        raise ValueError(f"{file} holds the world of SEED = {world.get('seed')}, not {seed}")
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
