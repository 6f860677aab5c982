"""A Jupyter kernel manager that keeps a learner's session inside Binder's memory.

JupyterLab keeps every opened notebook's kernel running until the learner shuts it down, and
after one of the course's notebooks has run its kernel holds 400-700 MB; mybinder.org gives
the whole session 2 GB. ``LRUKernelManager`` is jupyter_server's own kernel manager with two
limits, both enforced by shutting down the least recently used *idle* kernels (never a busy
one, never the most recently used one):

- ``max_kernels``: when a notebook starts a kernel and that many are already running, the
  least recently used idle ones are shut down first;
- ``memory_limit_mb``: every ``check_interval`` seconds the kernels' resident memory is added
  up (Linux ``/proc``; elsewhere this limit is off) and, while it is over the limit, the
  least recently used idle kernel is shut down.

A kernel is shut down exactly as jupyter_server's idle culler does it; in JupyterLab its notebook
then shows "No Kernel", and running a cell there starts a fresh kernel (run the notebook again
from the top). "Used" means a message from the kernel (running a cell), as for the culler.
``binder/jupyter_server_config.py`` turns this on.
"""

from datetime import UTC, datetime
from pathlib import Path

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado.ioloop import PeriodicCallback
from traitlets import Float, Integer, TraitError, validate

_NEWEST = datetime.max.replace(tzinfo=UTC)


def process_tree_mb(pid):
    """Resident memory of process ``pid`` and its descendants in MB, or None without /proc."""
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


def to_stop_for_count(kernels, keep):
    """Ids of the kernels to shut down so that at most ``keep`` remain.

    ``kernels``: list of ``(kernel_id, last_activity, execution_state)``. Dead kernels go
    first, then idle ones, least recently used first; busy or starting ones never, so if too
    few are idle, fewer are stopped."""
    if keep < 0:
        raise ValueError(f"keep must be a non-negative number of kernels, got {keep!r}")
    excess = len(kernels) - keep
    dead = [k for k in kernels if k[2] == "dead"]
    idle = sorted((k for k in kernels if k[2] == "idle"), key=lambda k: k[1])
    return [k[0] for k in (dead + idle)[: max(excess, 0)]]


def to_stop_for_memory(kernels, limit_mb):
    """Ids of the kernels to shut down so that the rest use at most ``limit_mb``.

    ``kernels``: list of ``(kernel_id, last_activity, execution_state, resident_mb)``. The most
    recently used kernel and busy ones are never chosen; idle ones go least recently used
    first, until the total is within the limit (or nothing more can be stopped)."""
    if limit_mb <= 0:
        raise ValueError(f"limit_mb must be a positive number of MB, got {limit_mb!r}")
    total = sum(k[3] for k in kernels)
    if total <= limit_mb or len(kernels) < 2:
        return []
    newest = max(kernels, key=lambda k: k[1])[0]
    stop = []
    for kernel_id, _, state, mb in sorted(kernels, key=lambda k: k[1]):
        if total <= limit_mb:
            break
        if kernel_id != newest and state == "idle":
            stop.append(kernel_id)
            total -= mb
    return stop


class LRUKernelManager(AsyncMappingKernelManager):
    """jupyter_server's kernel manager, keeping at most ``max_kernels`` kernels and at most
    ``memory_limit_mb`` of kernel memory by shutting down the least recently used idle ones."""

    max_kernels = Integer(
        2,
        config=True,
        help="At most this many kernels run at once: starting one more first shuts down "
        "the least recently used idle kernels.",
    )
    memory_limit_mb = Integer(
        1536,
        config=True,
        help="While the kernels' resident memory adds up to more than this (MB), shut down the "
        "least recently used idle kernel (never the most recently used). 0 turns it off.",
    )
    check_interval = Float(
        5.0, config=True, help="Seconds between two checks of the kernels' memory."
    )

    _memory_callback = None
    _announced = False

    @validate("max_kernels")
    def _validate_max_kernels(self, proposal):
        if proposal["value"] < 1:
            raise TraitError(f"max_kernels must be at least 1, got {proposal['value']}")
        return proposal["value"]

    @validate("memory_limit_mb")
    def _validate_memory_limit(self, proposal):
        if proposal["value"] < 0:
            raise TraitError(
                f"memory_limit_mb must be 0 (off) or positive, got {proposal['value']}"
            )
        return proposal["value"]

    @validate("check_interval")
    def _validate_check_interval(self, proposal):
        if proposal["value"] <= 0:
            raise TraitError(f"check_interval must be positive seconds, got {proposal['value']}")
        return proposal["value"]

    def _kernel_rows(self):
        """``(kernel_id, last_activity, execution_state)`` of every kernel; one whose activity
        is not tracked yet (it is starting) counts as the most recently used."""
        rows = []
        for kernel_id in list(self._kernels):
            kernel = self._kernels[kernel_id]
            last = getattr(kernel, "last_activity", None) or _NEWEST
            rows.append((kernel_id, last, getattr(kernel, "execution_state", "starting")))
        return rows

    def kernel_mb(self, kernel_id):
        """Resident MB of one kernel's process tree, or None where it cannot be read."""
        provisioner = getattr(self._kernels[kernel_id], "provisioner", None)
        pid = getattr(provisioner, "pid", None)
        if pid is None:
            pid = getattr(getattr(provisioner, "process", None), "pid", None)
        return None if pid is None else process_tree_mb(pid)

    async def _shut_down(self, kernel_ids, why):
        for kernel_id in kernel_ids:
            kernel = self._kernels.get(kernel_id)
            if kernel is None or getattr(kernel, "execution_state", None) not in ("idle", "dead"):
                continue  # gone, or it started working since it was chosen
            self.log.warning(
                "Shutting down idle kernel %s, the least recently used, %s", kernel_id, why
            )
            await self.shutdown_kernel(kernel_id)

    async def start_kernel(self, *, kernel_id=None, path=None, **kwargs):
        """Start a kernel as jupyter_server does, first making room for it."""
        if kernel_id is None or kernel_id not in self:
            rows = self._kernel_rows()
            await self._shut_down(
                to_stop_for_count(rows, self.max_kernels - 1),
                f"to keep at most {self.max_kernels} kernels running",
            )
        kernel_id = await super().start_kernel(kernel_id=kernel_id, path=path, **kwargs)
        if not self._announced:
            self._announced = True
            self.log.info(
                "Keeping at most %d kernels running%s: the least recently used idle ones are "
                "shut down first",
                self.max_kernels,
                f" and at most {self.memory_limit_mb} MB of them" if self.memory_limit_mb else "",
            )
        if self.memory_limit_mb and self._memory_callback is None:
            self._memory_callback = PeriodicCallback(self.check_memory, 1000 * self.check_interval)
            self._memory_callback.start()
        return kernel_id

    async def check_memory(self):
        """Shut down least recently used idle kernels while the total is over the limit."""
        if not self.memory_limit_mb:
            return
        rows = []
        for kernel_id, last, state in self._kernel_rows():
            try:
                mb = self.kernel_mb(kernel_id)
            except KeyError:  # shut down meanwhile
                continue
            if mb is None:
                return  # no /proc (or no pid): the memory limit cannot be checked here
            rows.append((kernel_id, last, state, mb))
        stop = to_stop_for_memory(rows, self.memory_limit_mb)
        total = sum(r[3] for r in rows)
        await self._shut_down(
            stop, f"because the kernels use {total:.0f} MB, over {self.memory_limit_mb} MB"
        )

    async def shutdown_all(self, now=False):
        """Stop the memory checks, then shut every kernel down as jupyter_server does."""
        if self._memory_callback is not None:
            self._memory_callback.stop()
            self._memory_callback = None
        await super().shutdown_all(now=now)
