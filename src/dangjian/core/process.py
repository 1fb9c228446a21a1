"""Settings of the whole Python process (the interpreter's own, shared by every thread) that a
piece of work changes while it runs."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


class ProcessSetting:
    """One such setting, read and written by ``read`` and ``write``.

    ``changed(change)`` applies ``change(saved)`` while any of its users runs: nested and
    concurrent users in one process share one change — the first one in saves the setting and
    applies its change, the last one out restores what was saved, also on an error.
    """

    def __init__(self, read: Callable[[], Any], write: Callable[[Any], None]):
        self._read, self._write = read, write
        self._lock = threading.Lock()
        self._users = 0
        self._saved: Any = None

    @contextmanager
    def changed(self, change: Callable[[Any], Any]) -> Iterator[None]:
        with self._lock:
            if self._users == 0:
                self._saved = self._read()
                self._write(change(self._saved))
            self._users += 1
        try:
            yield
        finally:
            with self._lock:
                self._users -= 1
                if self._users == 0:
                    self._write(self._saved)
