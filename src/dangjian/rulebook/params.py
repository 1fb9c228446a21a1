"""Rulebook parameters for code outside the rules engine.

The workflows (forming a branch, capping a joint branch, a new organization's term) must use the
same numbers as the rules that later judge them: a federation that lowers its joint-branch cap in
the rulebook expects the formation form to refuse a sixth unit too. So they read them here — the
revision in force on the day, with the federation's override (``RuleOverride``) applied.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from dangjian.rulebook.loader import load, merge, overrides_for


def value(
    rule_id: str, name: str, *, day: datetime.date | None = None, federation: Any = None
) -> Any:
    """The parameter ``name`` of ``rule_id`` on ``day`` (today) for ``federation`` (or the
    rulebook's own value): the revision in force that day; between or after revisions the last
    one that began on or before it; before the first, the first."""
    day = day or timezone.localdate()
    revisions = load().revisions[rule_id]  # an unknown rule id is a programming error
    started = [r for r in revisions if r.effective_from <= day]
    revision = started[-1] if started else revisions[0]
    parameters = revision.parameters
    if federation is not None:
        parameters = merge(parameters, overrides_for([federation], rule_id, day)[federation.pk])
    return parameters[name]
