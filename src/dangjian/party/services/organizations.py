"""Party organizations, their coverage of units, and their posts."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from dangjian.core.audit import record_change, record_event, snapshot
from dangjian.core.events import AuditEvent
from dangjian.party.models import (
    Coverage,
    PartyMember,
    PartyOrganization,
    Position,
)
from dangjian.party.services.common import check_period, end_fact, update_fact

# -- party organizations and coverage --------------------------------------------------------

PARTY_ORG_FIELDS = (
    "name",
    "kind",
    "parent",
    "parent_id",
    "formation_mode",
    "approval_doc_no",
    "approval_date",
    "status",
    "valid_from",
    "valid_to",
)


@transaction.atomic
def form_party_organization(
    federation,
    *,
    name: str,
    kind: str,
    valid_from: datetime.date,
    units=(),
    coverage_kind: str | None = None,
    actor,
    note="",
    **fields,
) -> PartyOrganization:
    """A party organization is established on ``valid_from`` in ``federation`` and covers
    ``units`` from that day. ``fields`` are the other PartyOrganization fields (parent,
    formation_mode, approval_doc_no, approval_date, valid_to, status); its elections are
    recorded with ``record_election``. The coverage kind defaults to: via the board for a board-formed organization,
    joint for a joint branch or several units, otherwise own."""
    if not name:
        raise ValidationError(_("The party organization's name is required."))
    check_period(valid_from, fields.get("valid_to"))
    unknown = set(fields) - set(PARTY_ORG_FIELDS)
    if unknown:
        raise ValidationError(
            _("The field %(field)s cannot be changed here.") % {"field": sorted(unknown)[0]}
        )
    party_org = PartyOrganization.objects.create(
        federation=federation, name=name, kind=kind, valid_from=valid_from, **fields
    )
    record_change(actor, party_org, None, note=note)
    units = list(units)
    if units:
        if coverage_kind is None:
            if party_org.formation_mode == PartyOrganization.FormationMode.IN_BOARD:
                coverage_kind = Coverage.Kind.BOARD
            elif kind == PartyOrganization.Kind.JOINT_BRANCH or len(units) > 1:
                coverage_kind = Coverage.Kind.JOINT
            else:
                coverage_kind = Coverage.Kind.OWN
        for unit in units:
            add_coverage(party_org, unit, kind=coverage_kind, valid_from=valid_from, actor=actor)
    return party_org


@transaction.atomic
def update_party_organization(
    party_org: PartyOrganization, values: dict, *, actor, note=""
) -> PartyOrganization:
    return update_fact(party_org, values, actor=actor, note=note, allowed=PARTY_ORG_FIELDS)


@transaction.atomic
def dissolve_party_organization(
    party_org: PartyOrganization, *, on: datetime.date, actor, note=""
) -> PartyOrganization:
    """The party organization is dissolved; ``on`` is its last day. Its open coverage ends
    the same day."""
    for coverage in party_org.coverages.filter(valid_to__isnull=True):
        end_coverage(coverage, on=max(on, coverage.valid_from), actor=actor, note=note)
    party_org = end_fact(PartyOrganization, party_org, on, actor=actor, note=note)
    before = snapshot(party_org)
    party_org.status = PartyOrganization.Status.DISSOLVED
    party_org.save(update_fields=["status", "updated_at"])
    record_change(actor, party_org, before, note=note)
    record_event(actor, AuditEvent.PARTY_ORGANIZATION_DISSOLVED, party_org, valid_to=str(on))
    return party_org


@transaction.atomic
def add_coverage(
    party_org: PartyOrganization,
    organization,
    *,
    kind: str = Coverage.Kind.OWN,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    actor,
    note="",
) -> Coverage:
    """The party organization covers ``organization`` from ``valid_from``. Refused when it
    already covers it on that day."""
    check_period(valid_from, valid_to)
    if (
        Coverage.objects.valid_on(valid_from)
        .filter(party_organization=party_org, organization=organization)
        .exists()
    ):
        raise ValidationError(_("This party organization already covers the unit on that date."))
    coverage = Coverage.objects.create(
        party_organization=party_org,
        organization=organization,
        kind=kind or Coverage.Kind.OWN,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    record_change(actor, coverage, None, note=note)
    return coverage


@transaction.atomic
def end_coverage(coverage: Coverage, *, on: datetime.date, actor, note="") -> Coverage:
    """The coverage ends; ``on`` is its last day."""
    return end_fact(Coverage, coverage, on, actor=actor, note=note)


# -- posts -------------------------------------------------------------------------------------


@transaction.atomic
def appoint_position(
    party_org: PartyOrganization,
    member: PartyMember,
    *,
    role: str,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    actor,
    note="",
) -> Position:
    """``member`` holds the post ``role`` in the party organization from ``valid_from``."""
    check_period(valid_from, valid_to)
    if member is None:
        raise ValidationError(_("Choose the member who holds the post."))
    position = Position.objects.create(
        party_organization=party_org,
        member=member,
        role=role,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    record_change(actor, position, None, note=note)
    return position


@transaction.atomic
def end_position(position: Position, *, on: datetime.date, actor, note="") -> Position:
    """The post ends; ``on`` is its last day."""
    return end_fact(Position, position, on, actor=actor, note=note)
