"""The skip cache hashes the code that decides findings by module: the engine, every kind and
the rulebook's loader, parameters, periods and deadlines (wherever those modules live)."""

import importlib
import pkgutil
from pathlib import Path

from dangjian.rules import freshness, kinds


def test_the_code_digest_covers_the_rulebook_and_every_kind(monkeypatch):
    read: list[Path] = []
    original = Path.read_bytes

    def spy(self):
        read.append(self)
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", spy)
    freshness.code_version.cache_clear()
    try:
        version = freshness.code_version()
    finally:
        freshness.code_version.cache_clear()
    assert len(version) == 16
    expected = {
        Path(importlib.import_module(name).__file__)
        for name in [
            "dangjian.rules.engine",
            "dangjian.rules.registry",
            "dangjian.rulebook.loader",
            "dangjian.rulebook.params",
            "dangjian.rulebook.periods",
            "dangjian.rulebook.deadlines",
            *(f"dangjian.rules.kinds.{m.name}" for m in pkgutil.iter_modules(kinds.__path__)),
        ]
    }
    assert expected <= set(read)
    # Nothing is named by a path into another app any more.
    assert not [p for p in read if "inspections" in p.parts]
