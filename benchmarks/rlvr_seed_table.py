"""Notebook 09 on several seeds, each in a fresh kernel, and a table of what its asserts are about.

    python benchmarks/rlvr_seed_table.py               # seeds 0..9
    python benchmarks/rlvr_seed_table.py --seeds 3 --first-seed 10

Each seed goes into the cell tagged ``parameters``; the notebook runs exactly as a learner's Run
All, and one cell is appended that prints its key numbers as JSON (the benchmark reads the
notebook's own variables; the notebook writes nothing for it). Per seed: the warm start's steps,
pass@1, pass@G, pass@64, share of all-equal groups and of answers that show their work; after
GRPO the same and the mean length; the smallest k at which the warm start is ahead (the pass@k
crossing of Yue et al.), if any; the swapped checker's proxy and the true pass@1 of the policy
trained on it; the run with no scratchpad demonstrations; the first failed assert, if any; and
the notebook's wall time by its own clock.
"""

import sys

from common import ROOT, seed_table  # also puts this checkout first on sys.path

NOTEBOOK = ROOT / "notebooks" / "09_reasoning_verifiable_reward.ipynb"
REPORT = """
import json as _json
_e = lambda e: {"pass@k": {str(k): v for k, v in e["pass@k"].items()}, "work": e["work"], "length": e["length"]}
_proxy = float(np.mean([arithmetic.check_swapped_startswith(p, y) for p, y in zip(held_out, hacked_eval["answers"])]))
print("RESULT " + _json.dumps({
    "steps": warm_steps, "equal": equal, "warm": _e(warm_eval), "rl": _e(rl_eval),
    "hacked": _e(hacked_eval) | {"proxy": _proxy}, "plain": _e(plain_eval) | {"lt": first_char_prob(plain_model)},
    "seconds": notebook_clock.seconds()}))
"""
HEADER = [
    "warm steps",
    "warm: pass@1, pass@16, pass@64",
    "all-equal groups",
    "warm: shows work",
    "GRPO: pass@1, pass@64",
    "GRPO: shows work, length",
    "warm ahead from k",
    "swapped checker: proxy, true pass@1",
    "no demos: shows work, P('<')",
]


def row(r):
    w, g, h, p = r["warm"], r["rl"], r["hacked"], r["plain"]
    ahead = [int(k) for k in w["pass@k"] if w["pass@k"][k] > g["pass@k"][k]]
    return [
        str(r["steps"]),
        f"{w['pass@k']['1']:.3f}, {w['pass@k']['16']:.2f}, {w['pass@k']['64']:.2f}",
        f"{r['equal']:.0%}",
        f"{w['work']:.0%}",
        f"{g['pass@k']['1']:.3f}, {g['pass@k']['64']:.2f}",
        f"{g['work']:.0%}, {g['length']:.1f}",
        str(min(ahead)) if ahead else "none",
        f"{h['proxy']:.2f}, {h['pass@k']['1']:.3f}",
        f"{p['work']:.1%}, {p['lt']:.1e}",
    ]


def main(argv=None):
    return seed_table(__doc__, NOTEBOOK, REPORT, row, HEADER, argv)


if __name__ == "__main__":
    sys.exit(main())
