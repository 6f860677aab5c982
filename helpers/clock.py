"""A notebook's own wall clock: started in its first code cell, read in its last.

Every notebook starts one with ``notebook_clock = clock.start()`` and ends with
``notebook_clock.report()``, which prints ``this notebook ran in N s``. The README's time column
is written from that line of the committed outputs (``tools/readme_parts.py``), so ``LINE`` is
the one place its wording lives.
"""

import re
import time

LINE = "this notebook ran in {seconds:.0f} s"
PATTERN = re.compile(r"^this notebook ran in (\d+) s$", re.MULTILINE)


class Clock:
    """Wall time since it was made (``time.perf_counter``, which never runs backwards)."""

    def __init__(self):
        self.started = time.perf_counter()

    def seconds(self):
        """Seconds since the clock started."""
        return time.perf_counter() - self.started

    def report(self):
        """Print ``this notebook ran in N s`` (whole seconds); returns None, so a notebook's
        last cell shows that line and no echoed value."""
        print(LINE.format(seconds=self.seconds()))


def start():
    """A clock started now; call it in a notebook's first code cell."""
    return Clock()


def read(text):
    """The seconds that ``report`` printed in ``text`` (a cell's output), or None if none did."""
    found = PATTERN.findall(text)
    return int(found[-1]) if found else None
