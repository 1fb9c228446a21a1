"""The web worker's collector settings (dangjian.core.collector, applied by dangjian.wsgi)."""

import gc

from dangjian.core.collector import YOUNG_THRESHOLD, tune_for_requests


def test_a_worker_freezes_what_it_built_and_collects_the_young_less_often():
    saved = gc.get_threshold()
    try:
        built_at_start = [object() for _ in range(10)]
        tune_for_requests()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (YOUNG_THRESHOLD, saved[1], saved[2])
        assert gc.isenabled()  # cycles are still collected
        assert built_at_start
    finally:
        gc.unfreeze()
        gc.set_threshold(*saved)
