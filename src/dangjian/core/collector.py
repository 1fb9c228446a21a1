"""The cyclic garbage collector tuned for a web worker.

A request allocates tens of thousands of short-lived objects (model instances, query rows,
template nodes) that reference counting frees; every 700 allocations CPython's default still
runs a generation-0 collection, and now and then a full one over everything the worker has
built since start-up (settings, URL patterns, templates, the rulebook). Those full collections
were the spikes of a meeting record at 100,000 units: two requests in twenty costing three times
the others (bench/RESULTS.md, issue 12). So a worker, once started, freezes what it built (never
scanned again: it lives as long as the process) and collects the young generation less often.
Cycles are still collected; memory per worker grows by at most the larger young generation.
"""

import gc

# Allocations between young collections (CPython's default is 700); the older generations'
# thresholds are left as they are.
YOUNG_THRESHOLD = 50_000


def tune_for_requests() -> None:
    """Called once a worker has loaded the application (``dangjian.wsgi``)."""
    gc.collect()
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
