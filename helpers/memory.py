"""The resident memory of a process and every process it started (Linux ``/proc``).

No notebook uses it: it is the one measure of a kernel's memory for Binder's kernel manager
(``binder/lru_kernels.py``, which shuts down idle kernels when they use too much) and for
``benchmarks/session_memory.py`` (which measures a learner's whole session), so the limit and
the measurement count the same thing. The Jupyter server on Binder imports it: ``helpers`` is
installed there (``binder/postBuild``), as it is by ``requirements.txt``.
"""

from pathlib import Path


def process_tree_mb(pid):
    """Resident memory (VmRSS) of process ``pid`` and its descendants in MB, or None where
    there is no ``/proc`` (not Linux). A process that ends while it is read counts as 0."""
    if not Path("/proc/self/status").exists():
        return None
    total, stack, seen = 0, [pid], set()
    while stack:
        p = stack.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{p}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total / 1024
