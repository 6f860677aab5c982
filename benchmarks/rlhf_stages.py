"""Time the stages of notebook 07 (pretraining, SFT, reward model, PPO, reward hacking,
best-of-n) on the CPU and, where there is one, on the GPU.

The stages are inline in the notebook (that is where a learner reads them), so this script
runs the notebook itself, cell by cell in a fresh kernel as "Run All" would, and adds up the
wall time and the kernel's CPU time of the cells tagged ``stage-<name>``. Nothing is copied
from the notebook, so what is timed is exactly what a learner runs.

    python benchmarks/rlhf_stages.py                 # CPU, then the GPU if torch sees one
    python benchmarks/rlhf_stages.py --device cpu -p SEED=3

For the CPU run the kernel starts with ``CUDA_VISIBLE_DEVICES=""``, so ``get_device()``
returns the CPU even on a machine with a GPU. The kernel's ``PYTHONPATH`` starts with this
checkout, so it times these helpers even if the editable install points elsewhere.
"""

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from common import ROOT, add_param_option, inject_parameters, parse_params, peak_rss_mb

NOTEBOOK = ROOT / "notebooks" / "07_rlhf_tiny_gpt.ipynb"
STAGES = ("pretrain", "sft", "rm", "ppo", "hacking", "bon")


def _cpu_seconds(pid):
    """User + system CPU time of process ``pid`` (Linux), or NaN."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def _stage(cell):
    for tag in cell.get("metadata", {}).get("tags", []):
        if tag.startswith("stage-"):
            return tag.removeprefix("stage-")
    return "other"


def run_stages(device, params=None, timeout=1800):
    """Run notebook 07 on ``device`` ("cpu" or "gpu"); return {stage: (wall s, CPU s)}, peak MB."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    inject_parameters(nb, params)
    saved = {k: os.environ.get(k) for k in ("CUDA_VISIBLE_DEVICES", "PYTHONPATH")}
    if device == "cpu":
        os.environ["CUDA_VISIBLE_DEVICES"] = ""  # inherited by the kernel
    # the kernel imports this checkout's helpers, whatever the editable install points to
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), saved["PYTHONPATH"]]))
    try:
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(NOTEBOOK.parent)}},
        )
        times = {}
        with client.setup_kernel():
            pid = client.km.provisioner.process.pid
            for index, cell in enumerate(nb.cells):
                wall, cpu = time.perf_counter(), _cpu_seconds(pid)
                client.execute_cell(cell, index)
                wall, cpu = time.perf_counter() - wall, _cpu_seconds(pid) - cpu
                w, c = times.get(_stage(cell), (0.0, 0.0))
                times[_stage(cell)] = (w + wall, c + cpu)
            peak = peak_rss_mb(pid)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return times, peak


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--device",
        choices=["cpu", "gpu", "both"],
        default="both",
        help="both (default): the CPU, and the GPU if torch sees one",
    )
    add_param_option(parser)
    args = parser.parse_args(argv)
    params = parse_params(args.param)
    devices = ["cpu", "gpu"] if args.device == "both" else [args.device]
    if "gpu" in devices:
        import torch

        if not torch.cuda.is_available():
            print("no CUDA GPU visible to torch: timing the CPU only")
            devices.remove("gpu")
    if not devices:
        return 1
    results = {}
    for device in devices:
        print(f"running {NOTEBOOK.name} on the {device} ...", flush=True)
        results[device] = run_stages(device, params)
    print(f"\n| stage | {' | '.join(f'{d} wall (s) | {d} CPU (s)' for d in devices)} |")
    print("|---|" + "---:|" * (2 * len(devices)))
    for stage in (*STAGES, "other"):
        cells = [results[d][0].get(stage, (0.0, 0.0)) for d in devices]
        print(f"| {stage} | " + " | ".join(f"{w:.1f} | {c:.1f}" for w, c in cells) + " |")
    totals = [tuple(map(sum, zip(*results[d][0].values(), strict=True))) for d in devices]
    print("| **whole notebook** | " + " | ".join(f"{w:.1f} | {c:.1f}" for w, c in totals) + " |")
    for d in devices:
        print(f"peak kernel memory ({d}): {results[d][1]:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
