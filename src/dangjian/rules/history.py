"""A finding's timeline as its page shows it: when it was first found, what the evaluations
found (one entry for each run of days they found the same, with its text as of the run's first
day), and each status change with who, when and why.

The evaluations are ``FindingObservation`` runs (from their first day); the status changes are
``FindingStatusChange`` rows (people's, and the engine's, which have no actor and carry the
day whose evaluation decided them).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.dates import official_date
from dangjian.rules.models import Finding, FindingObservation, FindingStatusChange, Severity

S = Finding.Status


@dataclass
class Entry:
    day: datetime.date
    what: str
    text: str = ""
    who: str = ""
    at: datetime.datetime | None = None
    as_of: datetime.date | None = None  # an evaluation's day: its "as of" view
    severity: str = ""
    order: int = 0  # on the same day: found, then evaluations, then status changes


def timeline(finding: Finding) -> list[Entry]:
    observations = list(finding.observations.order_by("as_of"))
    changes = list(finding.status_changes.order_by("at", "id"))
    entries = []
    if not observations or finding.first_seen < observations[0].as_of:
        # Found before its evaluations were kept (findings older than their history).
        entries.append(Entry(finding.first_seen, _("First found"), order=0))
    for i, o in enumerate(observations):
        entries.append(_evaluation(o, first=i == 0 and o.as_of <= finding.first_seen))
    entries += [_status_change(c) for c in changes]
    return sorted(entries, key=lambda e: (e.day, e.order, e.at or timezone.now()))


def _evaluation(o: FindingObservation, *, first: bool) -> Entry:
    if o.until == o.as_of:
        what = _("First found by the evaluation") if first else _("Found by the evaluation")
    else:
        until = {"until": official_date(o.until)}
        what = (
            _("First found by the evaluation; found by each evaluation to %(until)s") % until
            if first
            else _("Found by each evaluation to %(until)s") % until
        )
    return Entry(
        o.as_of,
        what,
        text=o.explanation_on(o.as_of),
        as_of=o.as_of,
        severity=str(Severity(o.severity).label) if o.severity in Severity.values else "",
        order=1,
    )


def _status_change(c: FindingStatusChange) -> Entry:
    at = timezone.localtime(c.at) if timezone.is_aware(c.at) else c.at
    what = _("Status: %(before)s → %(after)s") % {
        "before": _label(c.from_status),
        "after": _label(c.to_status),
    }
    if c.actor_id is None and not c.actor_name:
        return Entry(c.as_of or at.date(), what, _engine_reason(c), _("the system"), at, order=2)
    return Entry(at.date(), what, c.reason, c.actor_name, at, order=2)


def _label(status: str) -> str:
    return str(S(status).label) if status in S.values else (status or "—")


def _engine_reason(c: FindingStatusChange) -> str:
    day = official_date(c.as_of) if c.as_of else "—"
    if c.to_status == S.RESOLVED:
        return _("Not found again by the evaluation as of %(day)s.") % {"day": day}
    if c.from_status == S.DISMISSED:
        return _("The evaluation as of %(day)s found a new fact.") % {"day": day}
    return _("Found again by the evaluation as of %(day)s.") % {"day": day}
