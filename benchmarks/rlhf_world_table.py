"""The key numbers of notebook 07's runs, one row per seed, read from the worlds it saved.

Notebook 07 saves its world (models, comparisons, evaluations, PPO logs, best-of-n) to
``notebooks/cache/07_world_seed{SEED}.pt`` at its end. After a seed sweep

    python benchmarks/seed_sweep.py --seeds 10 notebooks/07_rlhf_tiny_gpt.ipynb
    python benchmarks/rlhf_world_table.py

prints a Markdown table of what each seed's asserts are about: the reward model's held-out
accuracy (all comparisons, and those decided by relevance alone), the gold score, on-topic and
distinct shares, entropy and KL of SFT, PPO at the notebook's beta and PPO at beta = 0 on
held-out prompts; the beta = 0 run's rise of the gold above SFT's, its fall after the peak and
its proxy's rise after it (centred 3-probe means of the held-out probes, as the notebook's
asserts); how far the penalised run ends above beta = 0's best; and best-of-n's gold.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

from common import ROOT, print_table  # also puts this checkout first on sys.path

from helpers import rlhf_plots, world


def row(w):
    ev, acc = w["evals"], w["rm_accuracy"]
    sft, ppo, hack = ev["sft"], ev["ppo"], ev["beta0"]
    gold0, rm0 = (
        rlhf_plots.centred_average(w["beta0_log"][f"probe_{k}"], 3) for k in ("gold", "rm")
    )
    peak = int(np.argmax(gold0))
    bon = dict(zip(w["best_of_n"]["n"], w["best_of_n"]["gold"], strict=True))
    return [
        f"{w['seed']}",
        f"{acc['all']:.1%}",
        f"{acc['off_topic']:.1%}",
        f"{sft['gold']:+.2f}",
        f"{ppo['gold']:+.2f} ({ppo['gold'] - sft['gold']:+.2f})",
        f"{sft['on_topic']:.0%} / {ppo['on_topic']:.0%}",
        f"{ppo['kl']:.1f}",
        f"{sft['entropy']:.2f} / {ppo['entropy']:.2f}",
        f"{sft['distinct']:.0%} / {ppo['distinct']:.0%} / {hack['distinct']:.0%}",
        f"{gold0[peak] - sft['gold']:+.2f} (it. {peak + 1}) / {gold0[-1] - gold0[peak]:+.2f}",
        f"{rm0[-1] - rm0[peak]:+.2f}",
        f"{hack['gold']:+.2f}, {hack['kl']:.0f}",
        f"{ppo['gold'] - gold0[peak]:+.2f}",
        " / ".join(f"{bon[n]:+.2f}" for n in (1, 4, 16, 64) if n in bon),
    ]


HEADER = [
    "seed",
    "RM acc.",
    "RM acc. relevance",
    "SFT gold",
    "PPO gold (margin)",
    "on topic SFT / PPO",
    "PPO KL",
    "entropy SFT / PPO",
    "distinct SFT / PPO / beta=0",
    "beta=0 gold: rise above SFT at its peak / fall after it",
    "beta=0 RM reward after the gold's peak",
    "beta=0 gold, KL at the end",
    "PPO gold above beta=0's best",
    "best-of-1/4/16/64 gold",
]


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--folder", default=str(ROOT / "notebooks" / world.WORLD_DIR))
    parser.add_argument("--seeds", type=int, default=10, help="seeds 0 .. N-1 (default 10)")
    args = parser.parse_args(argv)
    rows = []
    for seed in range(args.seeds):
        path = Path(world.path(seed, args.folder))
        if path.is_file():
            rows.append(row(world.load(path)))
        else:
            print(f"seed {seed}: no world at {path}")
    print_table(HEADER, rows)
    return 0 if rows else 1


if __name__ == "__main__":
    np.set_printoptions(precision=3)
    sys.exit(main())
