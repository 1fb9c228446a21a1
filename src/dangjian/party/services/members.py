"""Members and their employment; anonymising a member who left. Their 组织关系 is
``relations``'."""

from __future__ import annotations

import datetime

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core import crypto, personal
from dangjian.core.audit import record_change, record_event
from dangjian.core.events import AuditEvent
from dangjian.core.models import AuditLog
from dangjian.core.validators import id_number_birth_date
from dangjian.party.models import (
    Employment,
    PartyMember,
    PartyOrganization,
)
from dangjian.party.queries import members_of_federation
from dangjian.party.services.common import check_period, end_fact, update_fact
from dangjian.party.services.relations import start_relations_bulk

ANONYMOUS_NAME = personal.ANONYMOUS_NAME


@transaction.atomic
def anonymise_member(member: PartyMember, *, actor, left_on=None) -> PartyMember:
    """Erase a departed member's personal data (PIPL art. 47), keeping the facts for statistics.

    Which fields are personal is core.personal's registry; it also names the copies of a
    member's data elsewhere (an applying unit's member list), erased with the member. The audit
    trail keeps its history and that the member was anonymised, with the personal values in it
    (name in the object label, masked numbers) redacted.
    """
    today = timezone.localdate()
    # The member and the copies of their data in other apps (an applicant's member list), as
    # core.personal lists them: found before erasing, since the blind index goes with it.
    copies = []
    for label, link in personal.COPIES_OF_SUBJECT.items():
        model = apps.get_model(label)
        found = Q(**{link: member})
        if member.id_number_hash and any(f.blind_index for f in personal.fields_of(label)):
            found |= Q(id_number_hash=member.id_number_hash)
        copies.append(
            (label, model, list(model.objects.filter(found).values_list("pk", flat=True)))
        )
    for field, value in personal.erasure(personal.SUBJECT, member.pk).items():
        setattr(member, field, value)
    member.left_on = member.left_on or left_on or today
    member.anonymised_at = timezone.now()
    member.save()
    member.employments.filter(valid_to__isnull=True).update(valid_to=member.left_on)
    for label, model, pks in copies:
        model.objects.filter(pk__in=pks).update(**personal.erasure(label, member.pk))
    # Old audit rows keep the non-personal history; only the personal values go.
    trail: list[tuple[str, list[int], str | None]] = [(personal.SUBJECT, [member.pk], member.name)]
    trail += [(label, pks, None) for label, _model, pks in copies if pks]
    for label, pks, new_repr in trail:
        logs = AuditLog.objects.filter(object_type=label, object_id__in=[str(pk) for pk in pks])
        for log in logs.only("pk", "changes", "object_repr"):
            AuditLog.objects.filter(pk=log.pk).update(
                object_repr=new_repr or f"{personal.ANONYMOUS_NAME}#{member.pk}",
                changes=personal.redact_changes(label, log.changes),
            )
    record_event(actor, AuditEvent.MEMBER_ANONYMISED, member)
    return member


# -- members ---------------------------------------------------------------------------------

MEMBER_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number",
    "phone",
    "education",
    "joined_party_on",
    "full_member_on",
    "is_flowing",
    "is_lost_contact",
    "left_on",
)


def _check_member(values: dict) -> None:
    if not values.get("name"):
        raise ValidationError(_("The member's name is required."))
    if not values.get("id_number"):
        raise ValidationError(_("The member's ID number is required."))
    if not values.get("joined_party_on"):
        raise ValidationError(_("The date of joining the party is required."))
    full = values.get("full_member_on")
    if full and full < values["joined_party_on"]:
        raise ValidationError(_("Full membership cannot come before joining the party."))


# The keys of a new member's first 组织关系 (written as its first dated period, not as fields).
RELATION_KEYS = ("relation_party_organization", "relation_external", "relation_since")


def relation_of(data: dict) -> PartyOrganization | str | None:
    """The holder named by a new member's data: the party organization, or the outside text."""
    return data.get("relation_party_organization") or data.get("relation_external") or None


@transaction.atomic
def create_member(data: dict, *, actor, note="") -> PartyMember:
    """Enter a party member in the ledger (no duplicate check: see ``register_or_link_member``).
    The birth date is derived from the ID number when not given. The 组织关系, when given
    (``relation_party_organization`` or ``relation_external``), is recorded as its first
    period from ``relation_since`` (unknown: the earliest day it can have been held)."""
    values = {k: v for k, v in data.items() if k in MEMBER_FIELDS}
    _check_member(values)
    if not values.get("birth_date"):
        values["birth_date"] = id_number_birth_date(values["id_number"])
    member = PartyMember.objects.create(**values)
    record_change(actor, member, None, note=note)
    to = relation_of(data)
    if to is not None:
        start_relations_bulk([(member, to, data.get("relation_since"))], actor=actor, note=note)
    return member


@transaction.atomic
def register_or_link_member(data: dict, *, federation, actor, note="") -> tuple[PartyMember, bool]:
    """The member with this ID number in ``federation``'s ledger, or a new one. Returns
    (member, created).

    Linking is scoped to what the acting officer may see: the ledger of the federation being
    worked on and those below it (``party.queries.members_of_federation``), found by the ID
    number's blind index. A member held only in another federation's ledger is never linked
    silently across federations (that would let one federation's approval attach employments
    to another's member record) and never duplicated (the national ledger keeps one record per
    person): it is refused, as the ledger import refuses it, with the advice to have the
    holding federation transfer the member (组织关系转接). The refusal says only that the
    number is held elsewhere, not where or by whom.
    """
    number = data.get("id_number") or ""
    digest = crypto.blind_index(number) if number else ""
    if digest:
        found = members_of_federation(federation).filter(id_number_hash=digest).first()
        if found is not None:
            return found, False
        if PartyMember.objects.filter(id_number_hash=digest).exists():
            raise ValidationError(
                _(
                    "This ID number belongs to a party member outside your scope; ask the "
                    "federation holding the record to transfer them."
                )
            )
    return create_member(data, actor=actor, note=note), True


@transaction.atomic
def update_member(member: PartyMember, values: dict, *, actor, note="") -> PartyMember:
    """Change a member's ledger data; only the fields given change."""
    return update_fact(member, values, actor=actor, note=note, allowed=MEMBER_FIELDS)


# -- employment ------------------------------------------------------------------------------


@transaction.atomic
def start_employment(
    member: PartyMember,
    organization,
    *,
    on: datetime.date,
    job_title: str = "",
    valid_to: datetime.date | None = None,
    actor,
    note="",
) -> Employment:
    """The member works for ``organization`` from ``on`` (the "≥ 3 full members" rule counts
    members by employer). Refused when the member already works there on that day."""
    check_period(on, valid_to)
    if Employment.objects.valid_on(on).filter(member=member, organization=organization).exists():
        raise ValidationError(
            _("%(name)s already works for this unit on that date.") % {"name": member.name}
        )
    employment = Employment.objects.create(
        member=member,
        organization=organization,
        job_title=job_title,
        valid_from=on,
        valid_to=valid_to,
    )
    record_change(actor, employment, None, note=note)
    return employment


@transaction.atomic
def close_employment(employment: Employment, *, on: datetime.date, actor, note="") -> Employment:
    """The employment ends; ``on`` is its last day."""
    return end_fact(Employment, employment, on, actor=actor, note=note)
