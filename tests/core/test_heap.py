"""``core.heap.frozen``: what is alive before a batch is left out of the collector's scans
while it runs, and given back after, however the batches nest."""

import gc

import pytest

from dangjian.core import heap


def test_frozen_while_the_outermost_batch_runs():
    assert gc.get_freeze_count() == 0
    with heap.frozen():
        alive = gc.get_freeze_count()
        assert alive > 0
        with heap.frozen():  # a batch inside a batch: nothing more frozen, nothing given back
            assert gc.get_freeze_count() == alive
        assert gc.get_freeze_count() == alive
    assert gc.get_freeze_count() == 0


def test_given_back_when_the_batch_fails():
    with pytest.raises(ValueError), heap.frozen():
        raise ValueError
    assert gc.get_freeze_count() == 0
