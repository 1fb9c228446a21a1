"""Rules evaluated side by side (``Engine.run``): a rule's evaluation only reads, so the rules
of a run are evaluated by several threads, each on its own database connection — on SQLite the
statements run without the GIL, on PostgreSQL in their own server processes, so the machine's
cores share the run — and each rule's findings are written as soon as its evaluation is done
(on PostgreSQL by the worker, on SQLite by the caller's thread: ``Engine.run``), each rule in
its own transaction (so a long rule, the copied minutes judged whole, holds up neither the
others' evaluations nor their writes).

Each evaluation reads the committed facts through its own connection, so the rules of one run
may read the facts a moment apart, as they did one after the other; the input digests and the
journal positions are taken before anything is read (``Engine.run``), so a fact written during
the run is read again by the next one. Inside a transaction (a test's, or a caller's
``atomic`` block), whose uncommitted writes another connection would not see, the rules are
evaluated in the caller's thread, one after the other — as on an in-memory SQLite database.
"""

from __future__ import annotations

import itertools
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

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


def as_done(tasks: Sequence[Callable[[], T]], workers: int) -> Iterator[tuple[int, T]]:
    """(index, result) of each task, as the tasks finish. With ``workers`` > 1 the tasks run
    in that many threads, in their order, at most ``workers`` of them started beside the result
    being consumed (a finished result waits in memory until then; a long task does not hold
    up the others); a task's error is raised when it is consumed, and the tasks not yet started are
    then dropped. Each thread keeps its database connection from one task to the next (a new
    SQLite connection reads the schema again: 3–5 ms) and closes it when it ends. With 1, each
    task runs in the caller's thread, in order, when its result is asked for."""
    if workers <= 1:
        for i, task in enumerate(tasks):
            yield i, task()
        return
    language = translation.get_language()
    finished: queue.SimpleQueue[tuple[int, Any, BaseException | None]] = queue.SimpleQueue()
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
                        finished.put((i, tasks[i](), None))
                    except BaseException as error:  # raised in the caller's thread
                        finished.put((i, None, error))
        except BaseException as error:  # outside a task: the caller must not wait forever
            finished.put((-1, None, error))
        finally:
            connections.close_all()  # this thread's own connections

    threads: list[threading.Thread] = []
    try:
        for n in range(workers):
            thread = threading.Thread(target=work, name=f"rules-{n}", daemon=True)
            thread.start()
            threads.append(thread)
        for _ in tasks:
            i, value, error = finished.get()
            if error is not None:
                raise error
            slots.release()
            yield i, value
    finally:
        stopping.set()
        for _ in threads:  # wake the threads waiting for a slot
            slots.release()
        for thread in threads:
            thread.join()
