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

import argparse
import json
import sys
import time

import nbformat
from nbclient import NotebookClient

from common import ROOT, inject_parameters

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
    "seed",
    "warm steps",
    "warm: pass@1, pass@16, pass@64",
    "all-equal groups",
    "warm: shows work",
    "GRPO: pass@1, pass@64",
    "GRPO: shows work, length",
    "warm ahead from k",
    "swapped checker: proxy, true pass@1",
    "no demos: shows work, P('<')",
    "asserts",
    "s",
]


def run(seed):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    inject_parameters(nb, {"SEED": seed})
    nb.cells.append(nbformat.v4.new_code_cell(REPORT))
    client = NotebookClient(
        nb,
        timeout=900,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()
    failed, result = None, None
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "error" and failed is None:
                failed = f"{out.ename}: {out.evalue}"[:80]
            if out.output_type == "stream" and "RESULT " in out.text:
                result = json.loads(out.text.split("RESULT ", 1)[1])
    return result, failed


def row(seed, r, failed):
    if r is None:
        return [str(seed)] + [""] * (len(HEADER) - 3) + [failed or "no result", ""]
    w, g, h, p = r["warm"], r["rl"], r["hacked"], r["plain"]
    ahead = [int(k) for k in w["pass@k"] if w["pass@k"][k] > g["pass@k"][k]]
    return [
        str(seed),
        str(r["steps"]),
        f"{w['pass@k']['1']:.3f}, {w['pass@k']['16']:.2f}, {w['pass@k']['64']:.2f}",
        f"{r['equal']:.0%}",
        f"{w['work']:.0%}",
        f"{g['pass@k']['1']:.3f}, {g['pass@k']['64']:.2f}",
        f"{g['work']:.0%}, {g['length']:.1f}",
        str(min(ahead)) if ahead else "none",
        f"{h['proxy']:.2f}, {h['pass@k']['1']:.3f}",
        f"{p['work']:.1%}, {p['lt']:.1e}",
        "pass" if failed is None else failed,
        f"{r['seconds']:.0f}",
    ]


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", type=int, default=10, help="how many seeds (default 10)")
    parser.add_argument("--first-seed", type=int, default=0)
    args = parser.parse_args()
    rows, failures = [], 0
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        start = time.perf_counter()
        r, failed = run(seed)
        failures += failed is not None or r is None
        rows.append(row(seed, r, failed))
        print(
            f"seed {seed}: {'pass' if failed is None else failed} ({time.perf_counter() - start:.0f} s)",
            flush=True,
        )
    print("\n| " + " | ".join(HEADER) + " |")
    print("|" + "---|" * len(HEADER))
    for r in rows:
        print("| " + " | ".join(r) + " |")
    print(f"\n{len(rows) - failures}/{len(rows)} seeds passed every assert")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
