"""Rules evaluated side by side (``Engine.run``): a rule's evaluation only reads, so while one
rule's findings are written, the next rules are evaluated by other threads, each on its own
database connection — on SQLite the statements run without the GIL, on PostgreSQL in their
own server processes, so the machine's cores share the run (the second core of this project's
2-core benchmark machine halves the like-for-like run's evaluation; a server's 8 or 16 cores
more). The findings are still written one rule after the other, in the rulebook's order, by
the caller's thread, each rule in its own transaction as before.

Each evaluation reads the committed facts through its own connection, so the rules of one run
may read the facts a moment apart, as they did one after the other; the input digests and the
journal positions are taken before anything is read (``Engine.run``), so a fact written during
the run is read again by the next one. Inside a transaction (a test's, or a caller's
``atomic`` block), whose uncommitted writes another connection would not see, the rules are
evaluated in the caller's thread, one after the other — as on an in-memory SQLite database.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from typing import TypeVar

from django.conf import settings
from django.db import connection, connections
from django.utils import translation

T = TypeVar("T")


def workers_for(evaluations: int) -> int:
    """How many threads evaluate a run's ``evaluations`` whole evaluations: 1 (the caller's
    thread) inside a transaction or on an in-memory SQLite database, else up to
    ``settings.RULE_WORKERS`` (``DANGJIAN_RULE_WORKERS``)."""
    if evaluations < 2 or settings.RULE_WORKERS < 2 or connection.in_atomic_block:
        return 1
    if connection.vendor == "sqlite" and connection.is_in_memory_db():  # type: ignore[attr-defined]
        return 1
    return min(settings.RULE_WORKERS, evaluations)


def in_order(tasks: Sequence[Callable[[], T]], workers: int) -> Iterator[T]:
    """Each task's result, in the order of ``tasks``. With ``workers`` > 1 the tasks run in
    that many threads, at most ``workers`` of them started ahead of the result being consumed
    (the results wait in memory until then); a task's error is raised when its turn comes, and
    the tasks not yet started are then dropped. Each thread keeps its database connection
    from one task to the next (a new SQLite connection reads the schema again: 3–5 ms) and
    closes it when it ends. With 1, each task runs in the caller's thread when its result is
    asked for."""
    if workers <= 1:
        for task in tasks:
            yield task()
        return
    language = translation.get_language()
    results: list[Future[T]] = [Future() for _ in tasks]
    taken = itertools.count()  # the next task to start (``next`` is atomic)
    # A thread starts a task only with a slot; the caller gives one back with each result.
    slots = threading.Semaphore(workers)
    stopping = threading.Event()

    def work() -> None:
        try:
            with translation.override(language):
                while True:
                    slots.acquire()
                    i = next(taken)
                    if stopping.is_set() or i >= len(tasks):
                        return
                    try:
                        results[i].set_result(tasks[i]())
                    except BaseException as error:  # raised in the caller's turn
                        results[i].set_exception(error)
        finally:
            connections.close_all()  # this thread's own connections

    threads = [
        threading.Thread(target=work, name=f"rules-{n}", daemon=True) for n in range(workers)
    ]
    for thread in threads:
        thread.start()
    try:
        for result in results:
            value = result.result()
            slots.release()
            yield value
    finally:
        stopping.set()
        for _ in threads:  # wake the threads waiting for a slot
            slots.release()
        for thread in threads:
            thread.join()
