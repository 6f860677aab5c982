"""The key numbers of notebook 08's runs, one row per seed, read from the files it saved.

Notebook 08 saves its numbers to ``notebooks/cache/08_results_seed{SEED}.json`` at its end.
After a seed sweep

    python benchmarks/seed_sweep.py --seeds 10 notebooks/08_dpo_grpo.ipynb
    python benchmarks/dpo_grpo_table.py

prints a Markdown table of what each seed's asserts are about: SFT's gold score; DPO's implicit
accuracy, gold and KL at each beta and with the SFT term, and how far the chosen and rejected
log-probabilities moved; best-of-16 and 07's PPO; GRPO's gold, KL and distinct answers with the
RM's and the labeler's reward, RLOO's and GRPO's with k2 in the loss (the RM's reward); the tied
groups of the labeler-trained policy and of SFT; the short GRPO and Dr. GRPO runs.
"""

import json
import sys
from pathlib import Path

from common import per_seed_table  # also puts this checkout first on sys.path

HEADER = [
    "seed",
    "SFT gold",
    "DPO 0.1: acc., gold, KL",
    "DPO 0.1: chosen / rejected",
    "DPO 0.2: gold, KL",
    "DPO 0.5: acc., gold, KL",
    "DPO 0.5: chosen / rejected",
    "DPO 1: gold, KL",
    "DPO 0.1 + SFT term: gold, KL, chosen",
    "best-of-16: gold (KL <= 1.8)",
    "PPO (07): gold, KL",
    "GRPO RM: gold, KL, distinct",
    "GRPO labeler: gold, KL, distinct",
    "RLOO RM: gold, KL, distinct",
    "GRPO RM, k2: gold, KL, distinct",
    "tied pairs (G=2): SFT / labeler-trained",
    "15 iterations, GRPO / Dr. GRPO: gold, KL",
    "s",
]


def row(r):
    dpo = r["dpo"]

    def acc_gold_kl(d):
        return f"{d['accuracy']:.0%}, {d['gold']:+.2f}, {d['kl']:.1f}"

    def gold_kl(d):
        return f"{d['gold']:+.2f}, {d['kl']:.1f}"

    def grpo(d):
        return f"{d['gold']:+.2f}, {d['kl']:.1f}, {d['distinct']:.0%}"

    ties = r["ties"]
    bon = dict(zip(r["best_of_n"]["n"], r["best_of_n"]["gold"], strict=True))
    return [
        str(r["seed"]),
        f"{r['sft']['gold']:+.2f}",
        acc_gold_kl(dpo["0.1"]),
        f"{dpo['0.1']['chosen']:+.1f} / {dpo['0.1']['rejected']:+.1f}",
        gold_kl(dpo["0.2"]),
        acc_gold_kl(dpo["0.5"]),
        f"{dpo['0.5']['chosen']:+.1f} / {dpo['0.5']['rejected']:+.1f}",
        gold_kl(dpo["1"]),
        f"{r['rpo']['gold']:+.2f}, {r['rpo']['kl']:.1f}, {r['rpo']['chosen']:+.1f}",
        f"{bon[16]:+.2f}",
        gold_kl(r["ppo"]),
        grpo(r["grpo_rm"]),
        grpo(r["grpo_labeler"]),
        grpo(r["rloo_rm"]),
        grpo(r["grpo_k2"]),
        f"{ties['SFT']['2']:.0%} / {ties['GRPO, labeler reward']['2']:.0%}",
        f"{gold_kl(r['grpo_short'])} / {gold_kl(r['dr_grpo'])}",
        f"{r['seconds']:.0f}",
    ]


def main(argv=None):
    return per_seed_table(
        __doc__,
        lambda seed, folder: Path(folder) / f"08_results_seed{seed}.json",
        lambda path: json.loads(path.read_text()),
        row,
        HEADER,
        argv,
    )


if __name__ == "__main__":
    sys.exit(main())
