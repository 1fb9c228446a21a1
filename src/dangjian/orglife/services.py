"""Every write on organizational-life records (三会一课, 主题党日, 组织生活会, 民主评议).

Keyword ``actor``, atomic, audited; the ledger import, the demo and the admin call these.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.audit import record_change, record_event, snapshot
from dangjian.core.events import AuditEvent
from dangjian.orglife.models import Meeting
from dangjian.party.services.common import delete_fact

BATCH = 2000
MEETING_FIELDS = (
    "party_organization",
    "party_organization_id",
    "kind",
    "held_on",
    "topic",
    "expected_count",
    "present_count",
    "minutes",
)


def _check(values: dict, *, today: datetime.date | None = None) -> None:
    held_on = values.get("held_on")
    if held_on is None:
        raise ValidationError(_("The meeting date is required."))
    if held_on > (today or timezone.localdate()):
        raise ValidationError(_("This date is in the future."))
    expected, present = values.get("expected_count"), values.get("present_count")
    if expected is not None and present is not None and present > expected:
        raise ValidationError(_("More people present than expected."))
    unknown = set(values) - set(MEETING_FIELDS)
    if unknown:
        raise ValidationError(
            _("The field %(field)s cannot be changed here.") % {"field": sorted(unknown)[0]}
        )


@transaction.atomic
def record_meeting(
    party_org,
    *,
    kind: str,
    held_on: datetime.date,
    topic: str = "",
    expected_count: int | None = None,
    present_count: int | None = None,
    minutes: str = "",
    actor,
    note="",
) -> Meeting:
    """Record a meeting the party organization held (never one in the future)."""
    values = {
        "kind": kind,
        "held_on": held_on,
        "topic": topic,
        "expected_count": expected_count,
        "present_count": present_count,
        "minutes": minutes,
    }
    _check(values)
    meeting = Meeting.objects.create(party_organization=party_org, **values)
    record_change(actor, meeting, None, note=note)
    return meeting


@transaction.atomic
def update_meeting(meeting: Meeting, values: dict, *, actor, note="") -> Meeting:
    before = snapshot(meeting)
    for field, value in values.items():
        setattr(meeting, field, value)
    _check({f: getattr(meeting, f) for f in MEETING_FIELDS if f != "party_organization"})
    meeting.save()
    record_change(actor, meeting, before, note=note)
    return meeting


@transaction.atomic
def delete_meeting(meeting: Meeting, *, actor, note="") -> None:
    """Remove a meeting recorded by mistake."""
    delete_fact(meeting, actor=actor, note=note)


@transaction.atomic
def record_meetings_bulk(
    rows: Iterable[dict | Meeting], *, actor, note: str = "", today: datetime.date | None = None
) -> list[Meeting]:
    """Record many meetings: rows of ``party_organization_id`` (or ``party_organization``),
    ``kind``, ``held_on``, ``topic``, ``expected_count``, ``present_count``, ``minutes``.
    Unsaved Meeting instances are taken too. ``today``, when given, refuses a meeting after it.
    One audit event with the count."""
    objs = []
    for row in rows:
        if isinstance(row, Meeting):  # built unsaved by the caller (the demo's generator)
            row = {f: getattr(row, f) for f in MEETING_FIELDS if f != "party_organization"}
        values = {k: v for k, v in row.items() if k in MEETING_FIELDS}
        _check(values, today=today or datetime.date.max)
        objs.append(Meeting(**values))
    Meeting.objects.bulk_create(objs, batch_size=BATCH)
    if objs:
        record_event(
            actor, AuditEvent.ORGLIFE_MEETINGS_RECORDED, None, note=note, created=len(objs)
        )
    return objs


@transaction.atomic
def update_meetings_bulk(changes: Iterable[tuple[Meeting, dict]], *, actor, note="") -> int:
    """Change many meetings: ``(meeting, {field: value})`` pairs. Returns how many changed."""
    changed = 0
    for meeting, values in changes:
        before = snapshot(meeting)
        for field, value in values.items():
            setattr(meeting, field, value)
        meeting.save()
        changed += record_change(actor, meeting, before, note=note) is not None
    return changed
