"""Loading the rulebook (rulebook.yaml) and resolving the parameters in force on a day.

A rule id may have several revisions; each runs from its ``effective_from`` to the day before
the next revision's (or its own ``effective_to``). Federation overrides (``RuleOverride``) are
merged over the revision's parameters: the nearest federation up the path wins, and among its
overrides the latest ``valid_from`` on or before the day.
"""

from __future__ import annotations

import copy
import datetime
import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from dangjian.rulebook.models import RuleOverride

PATH = Path(__file__).with_name("rulebook.yaml")
REQUIRED = ("id", "kind", "subject", "title_zh", "title_en", "source", "severity")


@dataclass(frozen=True)
class Revision:
    rule_id: str
    kind: str
    subject: str
    title_zh: str
    title_en: str
    source: str
    verified: bool
    severity: str
    effective_from: datetime.date
    effective_to: datetime.date | None
    parameters: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    # Parameters that apply nationally (pages outside the engine read them without a
    # federation): a federation may not override them.
    national: tuple[str, ...] = field(default=(), compare=False)

    def in_force_on(self, day: datetime.date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )


class Rulebook:
    def __init__(self, entries: list[dict[str, Any]]) -> None:
        by_id: dict[str, list[dict[str, Any]]] = {}
        for entry in entries:
            missing = [k for k in REQUIRED if not entry.get(k)]
            if missing:
                raise ValueError(f"rulebook entry {entry.get('id')!r} lacks {missing}")
            by_id.setdefault(entry["id"], []).append(entry)
        self.revisions: dict[str, list[Revision]] = {}
        for rule_id, items in by_id.items():
            items.sort(key=lambda e: e["effective_from"])
            revisions: list[Revision] = []
            for i, e in enumerate(items):
                end = e.get("effective_to")
                if end is None and i + 1 < len(items):
                    end = items[i + 1]["effective_from"] - datetime.timedelta(days=1)
                revisions.append(
                    Revision(
                        rule_id=rule_id,
                        kind=e["kind"],
                        subject=e["subject"],
                        title_zh=e["title_zh"],
                        title_en=e["title_en"],
                        source=e["source"],
                        verified=bool(e.get("verified", False)),
                        severity=e["severity"],
                        effective_from=e["effective_from"],
                        effective_to=end,
                        parameters=e.get("parameters") or {},
                        national=tuple(e.get("national_parameters") or ()),
                    )
                )
            self.revisions[rule_id] = revisions

    @classmethod
    def from_yaml(cls, text: str) -> Rulebook:
        return cls(yaml.safe_load(text) or [])

    def rule_ids(self) -> list[str]:
        return list(self.revisions)

    def latest(self, rule_id: str) -> Revision:
        return self.revisions[rule_id][-1]

    def title(self, rule_id: str) -> str:
        """The rule's name as users read it (its latest Chinese title); the id of a rule since
        removed from the rulebook, which is all there is of it."""
        revisions = self.revisions.get(rule_id)
        return revisions[-1].title_zh if revisions else rule_id

    def revision_on(self, rule_id: str, day: datetime.date) -> Revision | None:
        for revision in self.revisions.get(rule_id, []):
            if revision.in_force_on(day):
                return revision
        return None

    def national(self, rule_id: str) -> frozenset[str]:
        """Parameters of ``rule_id`` that no federation may override (in any revision)."""
        return frozenset(n for r in self.revisions.get(rule_id, []) for n in r.national)

    def revisions_between(
        self, rule_id: str, start: datetime.date, end: datetime.date
    ) -> list[Revision]:
        return [
            r
            for r in self.revisions.get(rule_id, [])
            if r.effective_from <= end and (r.effective_to is None or r.effective_to >= start)
        ]


@functools.cache
def _default() -> Rulebook:
    return Rulebook.from_yaml(PATH.read_text(encoding="utf-8"))


def load() -> Rulebook:
    """The project's rulebook (parsed once per process)."""
    return _default()


def title(rule_id: str) -> str:
    """The project rulebook's title of ``rule_id`` (``Rulebook.title``)."""
    return load().title(rule_id)


def merge(base: dict[str, Any], override: dict[str, Any] | None) -> dict[str, Any]:
    """Parameters with ``override`` merged in (nested dicts merged key by key)."""
    result = copy.deepcopy(base)
    for key, value in (override or {}).items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merge(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def refused(override: RuleOverride, book: Rulebook | None = None) -> list[str]:
    """The parameters ``override`` sets that apply nationally: they are ignored when read
    (an override saved around ``set_override``, e.g. in the admin, cannot move them)."""
    national = (book or load()).national(override.rule_id)
    return sorted(k for k in (override.parameters or {}) if k in national)


def overrides_for(
    federations: Iterable[Any], rule_id: str, day: datetime.date
) -> dict[int, dict[str, Any]]:
    """{federation id: merged override parameters in force on ``day``} for each federation.

    Overrides apply down the federation tree: a root's override is inherited, a lower
    federation's override is merged over it. National parameters are left out of every
    override: they are the same for every federation whatever was saved.
    """
    from dangjian.rulebook.models import RuleOverride

    national = load().national(rule_id)

    federations = list(federations)
    ancestor_ids = {int(p) for f in federations for p in f.path.strip("/").split("/") if p}
    rows = RuleOverride.objects.filter(
        rule_id=rule_id, valid_from__lte=day, federation_id__in=ancestor_ids
    ).order_by("federation_id", "-valid_from")
    latest: dict[int, dict[str, Any]] = {}
    for row in rows:
        if row.federation_id not in latest:
            latest[row.federation_id] = {
                k: v for k, v in (row.parameters or {}).items() if k not in national
            }
    result: dict[int, dict[str, Any]] = {}
    for federation in federations:
        params: dict[str, Any] = {}
        for pk in (int(p) for p in federation.path.strip("/").split("/") if p):
            if pk in latest:
                params = merge(params, latest[pk])
        result[federation.pk] = params
    return result


def parameter_groups(
    revision: Revision, federations: Iterable[Any], day: datetime.date
) -> list[tuple[dict[str, Any], list[int]]]:
    """[(parameters, [federation ids])]: federations sharing the same effective parameters."""
    groups: dict[str, tuple[dict[str, Any], list[int]]] = {}
    for fed_id, override in overrides_for(federations, revision.rule_id, day).items():
        params = merge(revision.parameters, override)
        key = json.dumps(params, sort_keys=True, default=str)
        groups.setdefault(key, (params, []))[1].append(fed_id)
    return list(groups.values())
