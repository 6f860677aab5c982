"""Run every notebook's learning-outcome asserts with several seeds, each in a fresh kernel.

    python benchmarks/seed_sweep.py                       # all notebooks, seeds 0..9
    python benchmarks/seed_sweep.py --seeds 3 notebooks/06_ppo.ipynb
    python benchmarks/seed_sweep.py --jobs 2              # two kernels at a time

The seed goes into each notebook's cell tagged ``parameters`` (SEED = ...); the notebook
otherwise runs exactly as a learner's Run All. Prints a pass/fail table with run times.
Nothing is written back to the notebooks.
"""

import argparse
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from common import ROOT
from course_run import run_notebook


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("notebooks", nargs="*", help="default: every notebook in notebooks/")
    parser.add_argument("--seeds", type=int, default=10, help="seeds 0 .. N-1 (default 10)")
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=1, help="notebooks run at the same time")
    args = parser.parse_args()
    paths = [Path(p) for p in args.notebooks] or sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    jobs = [(path, seed) for path in paths for seed in seeds]

    def one(job):
        path, seed = job
        seconds, peak, error = run_notebook(path, params={"SEED": seed})
        print(
            f"{path.name:45s} seed {seed:3d} {'pass' if error is None else 'FAIL'} {seconds:6.1f} s {peak:6.0f} MB"
            + ("" if error is None else f"  {error}"),
            flush=True,
        )
        return job, seconds, error

    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        results = {job: (seconds, error) for job, seconds, error in pool.map(one, jobs)}
    print("\n| notebook | " + " | ".join(f"seed {s}" for s in seeds) + " |")
    print("|---|" + "---|" * len(seeds))
    failed = 0
    for path in paths:
        cells = []
        for seed in seeds:
            seconds, error = results[(path, seed)]
            failed += error is not None
            cells.append(f"{'pass' if error is None else 'FAIL'} {seconds:.0f}s")
        print(f"| {path.name} | " + " | ".join(cells) + " |")
    print(f"\n{len(jobs) - failed}/{len(jobs)} passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
