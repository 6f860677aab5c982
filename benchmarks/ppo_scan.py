"""Environment steps for notebook 06's PPO-clip to solve CartPole, over many seeds, with its
settings or with some of them changed: how notebook 06's settings were chosen and checked.

    python benchmarks/ppo_scan.py --seeds 20                       # notebook 06 as it is, seeds 0-19
    python benchmarks/ppo_scan.py --first-seed 20 --seeds 40 --jobs 2
    python benchmarks/ppo_scan.py -p minibatch_size=128 -p update_epochs=6 -p learning_rate=3e-3

Each ``-p NAME=VALUE`` replaces a value of notebook 06's hyperparameter cell before its
``train_ppo`` is defined (see ``ppo_vs_sb3.load_course_ppo``). A run stops at a last-20 mean
of 475 or at the 50,000-step bar. Prints each seed, then the number solved and the median and
worst steps. Steps do not depend on the machine's speed, so ``--jobs 2`` is safe here; the
seconds are only indicative then.
"""

import argparse
import statistics
import time
from concurrent.futures import ProcessPoolExecutor

from common import add_param_option, parse_params
from ppo_vs_sb3 import load_course_ppo


def one_seed(overrides, seed):
    import torch

    torch.set_num_threads(1)
    train_ppo = load_course_ppo(overrides)
    start = time.perf_counter()
    run = train_ppo(seed, "clip")
    return seed, run["steps"], run["solved"], time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", type=int, default=20, help="number of seeds (default 20)")
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=1, help="runs at the same time")
    add_param_option(parser)
    args = parser.parse_args(argv)
    overrides = parse_params(args.param)
    load_course_ppo(overrides)  # a misspelt name fails here, before any run
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    with ProcessPoolExecutor(args.jobs) as pool:
        rows = list(pool.map(one_seed, [overrides] * len(seeds), seeds))
    for seed, steps, solved, seconds in rows:
        print(
            f"seed {seed:3d}: {steps:6d} steps {'solved' if solved else 'NOT solved'} {seconds:5.1f} s"
        )
    steps = [r[1] for r in rows]
    print(
        f"\n{overrides or 'notebook 06 settings'}: solved {sum(r[2] for r in rows)}/{len(rows)}, "
        f"median {statistics.median(steps):.0f} steps, worst {max(steps)}"
    )
    unsolved = [r[0] for r in rows if not r[2]]
    if unsolved:
        print(f"not solved within the bar: seeds {unsolved}")


if __name__ == "__main__":
    main()
