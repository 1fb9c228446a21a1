"""Rulebook parameters for code outside the rules engine.

The workflows (forming a branch, capping a joint branch, a new organization's term) must use the
same numbers as the rules that later judge them: a federation that lowers its joint-branch cap in
the rulebook expects the formation form to refuse a sixth unit too. So they read them here — the
revision in force on the day, with the federation's override (``RuleOverride``) applied.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from dangjian.rules.rulebook import load, merge, overrides_for


def value(rule_id: str, name: str, *, day: datetime.date | None = None, federation=None):
    """The parameter ``name`` of ``rule_id`` on ``day`` (today) for ``federation`` (or the
    rulebook's own value). Before a rule's first revision, its first revision's value."""
    day = day or timezone.localdate()
    book = load()
    revision = book.revision_on(rule_id, day) or book.revisions[rule_id][0]
    parameters = revision.parameters
    if federation is not None:
        parameters = merge(parameters, overrides_for([federation], rule_id, day)[federation.pk])
    return parameters[name]
