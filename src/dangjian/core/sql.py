"""Helpers for the few statements written as SQL (the rules' grouped reads)."""

from __future__ import annotations

from collections.abc import Iterable


def id_list(ids: Iterable[int]) -> str:
    """Ids as the inside of an SQL ``IN (…)`` (integers only, so nothing to quote; ``NULL``
    for none, which matches nothing): a few thousand ids need no parameter each, and SQLite
    bounds a statement's parameters."""
    return ", ".join(str(int(i)) for i in ids) or "NULL"
