"""The key numbers of notebook 08's runs, one row per seed, read from the files it saved.

Notebook 08 saves its numbers to ``notebooks/cache/08_results_seed{SEED}.json`` at its end.
After a seed sweep

    python benchmarks/seed_sweep.py --seeds 10 notebooks/08_dpo_grpo.ipynb
    python benchmarks/dpo_grpo_table.py

prints a Markdown table of what each seed's asserts are about: SFT's gold score; DPO's implicit
accuracy, gold and KL at each beta and with the SFT term, and how far the chosen and rejected
log-probabilities moved; GRPO's gold, KL and distinct answers with the RM's and the labeler's
reward, RLOO's and GRPO's with k2 in the loss (the RM's reward); the tied groups of the labeler-trained policy and of SFT; the small Dr. GRPO run.
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
    "DPO 0.5: acc., gold, KL",
    "DPO 0.5: chosen / rejected",
    "DPO 0.1 + SFT term: gold, KL, chosen",
    "GRPO RM: gold, KL, distinct",
    "GRPO labeler: gold, KL, distinct",
    "RLOO RM: gold, KL, distinct",
    "GRPO RM, k2: gold, KL, distinct",
    "tied pairs (G=2): SFT / labeler-trained",
    "Dr. GRPO: gold, KL",
    "PPO (07): gold, KL",
    "s",
]


def row(r):
    dpo = r["dpo"]

    def acc_gold_kl(d):
        return f"{d['accuracy']:.0%}, {d['gold']:+.2f}, {d['kl']:.1f}"

    def grpo(d):
        return f"{d['gold']:+.2f}, {d['kl']:.1f}, {d['distinct']:.0%}"

    ties = r["ties"]
    return [
        str(r["seed"]),
        f"{r['sft']['gold']:+.2f}",
        acc_gold_kl(dpo["0.1"]),
        f"{dpo['0.1']['chosen']:+.1f} / {dpo['0.1']['rejected']:+.1f}",
        acc_gold_kl(dpo["0.5"]),
        f"{dpo['0.5']['chosen']:+.1f} / {dpo['0.5']['rejected']:+.1f}",
        f"{r['rpo']['gold']:+.2f}, {r['rpo']['kl']:.1f}, {r['rpo']['chosen']:+.1f}",
        grpo(r["grpo_rm"]),
        grpo(r["grpo_labeler"]),
        grpo(r["rloo_rm"]) if "rloo_rm" in r else "-",  # results saved before RLOO was added
        grpo(r["grpo_k2"]) if "grpo_k2" in r else "-",
        f"{ties['SFT']['2']:.0%} / {ties['GRPO, labeler reward']['2']:.0%}",
        f"{r['dr_grpo']['gold']:+.2f}, {r['dr_grpo']['kl']:.1f}",
        f"{r['ppo']['gold']:+.2f}, {r['ppo']['kl']:.1f}",
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
