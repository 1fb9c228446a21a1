"""Every write on a unit's governance facts: its leaders, its charter, its major decisions.

Keyword ``actor``, atomic, audited; the demo and the admin call these.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from dangjian.core.audit import record_change, record_event
from dangjian.core.events import AuditEvent
from dangjian.governance.models import CharterRevision, MajorDecision, UnitLeader
from dangjian.party.services.common import check_period, delete_fact, update_fact

BATCH = 2000


def _insert(model, rows: list[dict], *, actor, event: str, note: str):
    objs = [model(**row) for row in rows]
    model.objects.bulk_create(objs, batch_size=BATCH)
    if objs:
        record_event(actor, event, None, note=note, created=len(objs))
    return objs


# -- unit leaders ------------------------------------------------------------------------------


@transaction.atomic
def appoint_unit_leader(
    organization,
    *,
    role: str,
    name: str,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    member=None,
    actor,
    note="",
) -> UnitLeader:
    """``name`` holds the unit post ``role`` from ``valid_from`` (``member``: their party
    ledger record, when they are a party member — 一肩挑 is derived from it)."""
    if not name:
        raise ValidationError(_("The leader's name is required."))
    check_period(valid_from, valid_to)
    leader = UnitLeader.objects.create(
        organization=organization,
        role=role,
        name=name,
        member=member,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    record_change(actor, leader, None, note=note)
    return leader


@transaction.atomic
def end_unit_leader(leader: UnitLeader, *, on: datetime.date, actor, note="") -> UnitLeader:
    """The leader leaves the post; ``on`` is the last day."""
    if leader.valid_to is not None:
        raise ValidationError(_("This record has already ended."))
    if on < leader.valid_from:
        raise ValidationError(_("The end date must not be earlier than the start date."))
    return update_fact(leader, {"valid_to": on}, actor=actor, note=note)


@transaction.atomic
def update_unit_leader(leader: UnitLeader, values: dict, *, actor, note="") -> UnitLeader:
    return update_fact(leader, values, actor=actor, note=note)


@transaction.atomic
def delete_unit_leader(leader: UnitLeader, *, actor, note="") -> None:
    delete_fact(leader, actor=actor, note=note)


@transaction.atomic
def appoint_unit_leaders_bulk(rows: Iterable[dict], *, actor, note="") -> list[UnitLeader]:
    """Many unit leaders: rows of UnitLeader fields (``organization_id``, ``role``, ``name``,
    ``member_id``, ``valid_from``, ``valid_to``)."""
    rows = list(rows)
    for row in rows:
        check_period(row.get("valid_from"), row.get("valid_to"))
    return _insert(
        UnitLeader, rows, actor=actor, event=AuditEvent.GOVERNANCE_LEADERS_APPOINTED, note=note
    )


# -- charter -----------------------------------------------------------------------------------


@transaction.atomic
def record_charter_revision(
    organization,
    *,
    adopted_on: datetime.date,
    has_party_building_clause: bool,
    note_text: str = "",
    actor,
    note="",
) -> CharterRevision:
    """A version of the unit's charter adopted on ``adopted_on``."""
    if adopted_on is None:
        raise ValidationError(_("The adoption date is required."))
    revision = CharterRevision.objects.create(
        organization=organization,
        adopted_on=adopted_on,
        has_party_building_clause=has_party_building_clause,
        note=note_text,
    )
    record_change(actor, revision, None, note=note)
    return revision


@transaction.atomic
def update_charter_revision(revision: CharterRevision, values: dict, *, actor, note=""):
    return update_fact(revision, values, actor=actor, note=note)


@transaction.atomic
def delete_charter_revision(revision: CharterRevision, *, actor, note="") -> None:
    delete_fact(revision, actor=actor, note=note)


@transaction.atomic
def record_charter_revisions_bulk(rows: Iterable[dict], *, actor, note="") -> list[CharterRevision]:
    """Many charter revisions: rows of CharterRevision fields."""
    return _insert(
        CharterRevision,
        list(rows),
        actor=actor,
        event=AuditEvent.GOVERNANCE_CHARTERS_RECORDED,
        note=note,
    )


@transaction.atomic
def update_charter_revisions_bulk(
    changes: Iterable[tuple[CharterRevision, dict]], *, actor, note=""
) -> None:
    """``(revision, {field: value})`` pairs; one field-level audit record each."""
    for revision, values in changes:
        update_fact(revision, values, actor=actor, note=note)


# -- major decisions ---------------------------------------------------------------------------


@transaction.atomic
def record_major_decision(
    organization,
    *,
    decided_on: datetime.date,
    body: str,
    subject: str,
    party_participated: bool,
    note_text: str = "",
    actor,
    note="",
) -> MajorDecision:
    """A major decision of the board or assembly, and whether the party organization took part
    (前置研究讨论)."""
    if not subject:
        raise ValidationError(_("The subject of the decision is required."))
    decision = MajorDecision.objects.create(
        organization=organization,
        decided_on=decided_on,
        body=body,
        subject=subject,
        party_participated=party_participated,
        note=note_text,
    )
    record_change(actor, decision, None, note=note)
    return decision


@transaction.atomic
def update_major_decision(decision: MajorDecision, values: dict, *, actor, note=""):
    return update_fact(decision, values, actor=actor, note=note)


@transaction.atomic
def delete_major_decision(decision: MajorDecision, *, actor, note="") -> None:
    delete_fact(decision, actor=actor, note=note)


@transaction.atomic
def record_major_decisions_bulk(rows: Iterable[dict], *, actor, note="") -> list[MajorDecision]:
    """Many major decisions: rows of MajorDecision fields."""
    return _insert(
        MajorDecision,
        list(rows),
        actor=actor,
        event=AuditEvent.GOVERNANCE_DECISIONS_RECORDED,
        note=note,
    )


@transaction.atomic
def update_major_decisions_bulk(
    changes: Iterable[tuple[MajorDecision, dict]], *, actor, note=""
) -> None:
    """``(decision, {field: value})`` pairs; one field-level audit record each."""
    for decision, values in changes:
        update_fact(decision, values, actor=actor, note=note)
