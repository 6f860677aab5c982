"""Notebook 08 on several seeds, each in a fresh kernel, and a table of what its asserts are about.

    python benchmarks/dpo_grpo_table.py               # seeds 0..9
    python benchmarks/dpo_grpo_table.py --seeds 3 --first-seed 10

Each seed goes into the cell tagged ``parameters``; the notebook runs exactly as a learner's Run
All (building notebook 07's world of that seed first when ``notebooks/cache`` has none), and one
cell is appended that prints its key numbers as JSON (the benchmark reads the notebook's own
variables; the notebook writes nothing for it). Per seed: SFT's gold score; DPO's implicit
accuracy, gold and KL at each beta and with the SFT term, and how far the chosen and rejected
log-probabilities moved; best-of-16 and 07's PPO; GRPO's gold, KL and distinct answers with the
RM's and the labeler's reward, RLOO's and GRPO's with k2 in the loss (the RM's reward); the tied
groups of SFT and of the labeler-trained policy; the short GRPO and Dr. GRPO runs; the first
failed assert, if any; and the notebook's wall time by its own clock.
"""

import sys

from common import ROOT, seed_table  # also puts this checkout first on sys.path

NOTEBOOK = ROOT / "notebooks" / "08_dpo_grpo.ipynb"
REPORT = """
import json as _json
def _numbers(run):
    keys = ("gold", "kl", "distinct", "accuracy")
    return {k: float(run[k]) for k in keys if k in run} | {
        k: float(np.mean(run[k][-10:])) for k in ("chosen_shift", "rejected_shift") if k in run}
print("RESULT " + _json.dumps({
    "sft": _numbers(sft_eval), "ppo": _numbers(ppo_eval), "rpo": _numbers(rpo_run),
    "dpo": {f"{b:g}": _numbers(r) for b, r in dpo_runs.items()},
    "best_of_n": dict(zip(map(str, bon["n"]), bon["gold"])),
    "grpo_rm": _numbers(grpo_rm), "grpo_labeler": _numbers(grpo_labeler), "rloo_rm": _numbers(rloo_rm),
    "grpo_k2": _numbers(grpo_k2), "grpo_short": _numbers(grpo_short), "dr_grpo": _numbers(dr_grpo),
    "ties": {name: shares[2] for name, shares in ties.items()},
    "seconds": notebook_clock.seconds()}))
"""
HEADER = [
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
]


def row(r):
    dpo = r["dpo"]

    def acc_gold_kl(d):
        return f"{d['accuracy']:.0%}, {d['gold']:+.2f}, {d['kl']:.1f}"

    def gold_kl(d):
        return f"{d['gold']:+.2f}, {d['kl']:.1f}"

    def grpo(d):
        return f"{d['gold']:+.2f}, {d['kl']:.1f}, {d['distinct']:.0%}"

    def shifts(d):
        return f"{d['chosen_shift']:+.1f} / {d['rejected_shift']:+.1f}"

    return [
        f"{r['sft']['gold']:+.2f}",
        acc_gold_kl(dpo["0.1"]),
        shifts(dpo["0.1"]),
        gold_kl(dpo["0.2"]),
        acc_gold_kl(dpo["0.5"]),
        shifts(dpo["0.5"]),
        gold_kl(dpo["1"]),
        f"{gold_kl(r['rpo'])}, {r['rpo']['chosen_shift']:+.1f}",
        f"{r['best_of_n']['16']:+.2f}",
        gold_kl(r["ppo"]),
        grpo(r["grpo_rm"]),
        grpo(r["grpo_labeler"]),
        grpo(r["rloo_rm"]),
        grpo(r["grpo_k2"]),
        f"{r['ties']['SFT']:.0%} / {r['ties']['GRPO, labeler reward']:.0%}",
        f"{gold_kl(r['grpo_short'])} / {gold_kl(r['dr_grpo'])}",
    ]


def main(argv=None):
    return seed_table(__doc__, NOTEBOOK, REPORT, row, HEADER, argv)


if __name__ == "__main__":
    sys.exit(main())
