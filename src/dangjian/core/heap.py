"""The objects alive before a large batch of work left out of the garbage collector's scans
while it runs.

Python's cyclic collector scans every tracked object of the oldest generation on each full
collection, and a batch that allocates hundreds of thousands of rows and candidates (a rules
run at 100,000 units) triggers many: at that size they were about a seventh of the like-for-like
run's time (0.55 s → 0.47 s with the collector off, bench/RESULTS.md). ``frozen()`` moves what
is alive when the batch starts — the application's modules, settings and caches, long-lived
anyway — to the permanent generation (``gc.freeze``) and back when it ends (``gc.unfreeze``;
both are constant-time list splices). The batch's own garbage is still collected as it goes;
cycles among the frozen objects wait for the end of the batch.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0


@contextmanager
def frozen() -> Iterator[None]:
    """Re-entrant: only the outermost ``frozen()`` of the process freezes and unfreezes (a run
    inside a task inside another batch)."""
    global _depth
    with _lock:
        _depth += 1
        if _depth == 1:
            gc.freeze()
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.unfreeze()
