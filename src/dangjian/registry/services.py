"""Every write on the registry's facts: member units and their memberships of a federation.

One function per business action, keyword ``actor``, atomic, audited. The workflows
(applications), the ledger import, the demo builders and the admin all call these; nothing else
creates, changes or deletes an Organization or a Membership (tests/test_services_only.py).
The bulk forms take plain dicts (what an import row holds) and write in batches, with one audit
event per call for the new rows and a field-level record per changed row.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from dangjian.core.audit import record_change, record_event, snapshot
from dangjian.core.events import AuditEvent
from dangjian.registry.models import Domain, Federation, Membership, Organization

BATCH = 2000

# The fields of a unit an application or an import may set (uscc is the key, not listed).
UNIT_FIELDS = (
    "name",
    "legal_form",
    "category",
    "district",
    "supervising_unit",
    "registration_authority",
    "founded_on",
    "registered_address",
    "contact_name",
    "contact_phone",
    "status",
)
MEMBERSHIP_FIELDS = ("role", "valid_from", "valid_to", "note")


def _check_period(valid_from, valid_to) -> None:
    if valid_from is None:
        raise ValidationError(_("The start date is required."))
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError(_("The end date must not be earlier than the start date."))


def _unit_values(unit: dict) -> dict:
    return {k: v for k, v in unit.items() if k in UNIT_FIELDS or k == "uscc"}


@transaction.atomic
def create_organization(unit: dict, *, actor, note="") -> Organization:
    """A unit enters the registry (without a membership: see ``admit_unit``)."""
    values = _unit_values(unit)
    if not values.get("name"):
        raise ValidationError(_("The unit's name is required."))
    if values.get("uscc") and Organization.objects.filter(uscc=values["uscc"]).exists():
        raise ValidationError(
            _("A unit with the credit code %(uscc)s is already registered.")
            % {"uscc": values["uscc"]}
        )
    org = Organization.objects.create(**values)
    record_change(actor, org, None, note=note)
    return org


@transaction.atomic
def update_organization(org: Organization, values: dict, *, actor, note="") -> Organization:
    """Change a unit's registered data; only the fields given change."""
    before = snapshot(org)
    for field, value in values.items():
        setattr(org, field, value)
    org.save()
    record_change(actor, org, before, note=note)
    return org


@transaction.atomic
def delete_organization(org: Organization, *, actor, note="") -> None:
    """Remove a unit entered by mistake (a unit that left is ended with ``end_membership``)."""
    before = snapshot(org)
    record_change(actor, org, before, deleted=True, note=note)
    org.delete()


@transaction.atomic
def admit_unit(
    federation: Federation,
    unit: Organization | dict,
    *,
    role: str = Membership.Role.MEMBER,
    joined_on: datetime.date,
    valid_to: datetime.date | None = None,
    note: str = "",
    actor,
) -> Membership:
    """Admit a unit to ``federation`` from ``joined_on``: the unit is created when new (a dict of
    Organization fields; an existing unit is found by its credit code), then its membership.

    Refused when the unit already holds a membership of this federation (or one below it) on
    that day. Returns the membership; ``membership.organization`` is the unit.
    """
    _check_period(joined_on, valid_to)
    org: Organization | None
    if isinstance(unit, Organization):
        org = unit
    else:
        org = Organization.objects.filter(uscc=unit["uscc"]).first() if unit.get("uscc") else None
        if org is None:
            org = create_organization(unit, actor=actor, note=note)
    if (
        Membership.objects.valid_on(joined_on)
        .filter(organization=org, federation__path__startswith=federation.path)
        .exists()
    ):
        raise ValidationError(
            _("%(name)s is already a member of the federation on that date.") % {"name": org.name}
        )
    membership = Membership.objects.create(
        federation=federation,
        organization=org,
        role=role or Membership.Role.MEMBER,
        valid_from=joined_on,
        valid_to=valid_to,
        note=note[:200],
    )
    record_change(actor, membership, None)
    return membership


@transaction.atomic
def update_membership(membership: Membership, values: dict, *, actor, note="") -> Membership:
    """Change a membership's role, dates or note (the unit and federation are its identity)."""
    before = snapshot(membership)
    for field, value in values.items():
        if field not in MEMBERSHIP_FIELDS:
            raise ValidationError(_("This field of a membership cannot be changed here."))
        setattr(membership, field, value)
    _check_period(membership.valid_from, membership.valid_to)
    membership.save()
    record_change(actor, membership, before, note=note)
    return membership


@transaction.atomic
def end_membership(membership: Membership, *, on: datetime.date, actor, note="") -> Membership:
    """The unit leaves the federation; ``on`` is its last day as a member (history is kept)."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.valid_to is not None:
        raise ValidationError(_("This membership has already ended."))
    if on < membership.valid_from:
        raise ValidationError(_("The end date must not be earlier than the start date."))
    before = snapshot(membership)
    membership.valid_to = on
    membership.save(update_fields=["valid_to", "updated_at"])
    record_change(actor, membership, before, note=note)
    record_event(actor, AuditEvent.MEMBERSHIP_ENDED, membership, valid_to=str(on))
    return membership


@transaction.atomic
def delete_membership(membership: Membership, *, actor, note="") -> None:
    """Remove a membership entered by mistake (a real departure is ``end_membership``)."""
    record_change(actor, membership, snapshot(membership), deleted=True, note=note)
    membership.delete()


# -- bulk forms (the ledger import, the demo) ---------------------------------------------------


@transaction.atomic
def admit_units_bulk(
    federation: Federation, rows: Iterable[dict], *, actor, note: str = ""
) -> list[Membership]:
    """Admit many units at once. Each row is a dict with either ``organization_id`` (a unit
    already registered) or ``unit`` (a dict of Organization fields, ``uscc`` included, for a new
    unit), and the membership's ``role`` (default member), ``valid_from`` (required),
    ``valid_to`` and ``note``.

    The caller has checked the rows (the import's check/classify); this still refuses a missing
    start date or an end before the start. New units and memberships are inserted in batches;
    the audit trail gets one ``registry.units_admitted`` event with the counts and new ids.
    Returns the new memberships (with ``organization_id`` set).
    """
    rows = list(rows)
    for row in rows:
        _check_period(row.get("valid_from"), row.get("valid_to"))
    new_units = [Organization(**_unit_values(row["unit"])) for row in rows if "unit" in row]
    Organization.objects.bulk_create(new_units, batch_size=BATCH)
    if new_units and new_units[0].pk is None:  # backends without RETURNING: read the ids back
        by_uscc = Organization.objects.in_bulk([u.uscc for u in new_units], field_name="uscc")
        new_units = [by_uscc[u.uscc] for u in new_units]
    units = iter(new_units)
    memberships = []
    for row in rows:
        org_id = next(units).pk if "unit" in row else row["organization_id"]
        memberships.append(
            Membership(
                federation=federation,
                organization_id=org_id,
                role=row.get("role") or Membership.Role.MEMBER,
                valid_from=row["valid_from"],
                valid_to=row.get("valid_to"),
                note=(row.get("note") or "")[:200],
            )
        )
    Membership.objects.bulk_create(memberships, batch_size=BATCH)
    if rows:
        record_event(
            actor,
            AuditEvent.REGISTRY_UNITS_ADMITTED,
            federation,
            note=note,
            units_created=len(new_units),
            memberships_created=len(memberships),
            organizations=[u.pk for u in new_units][:1000],
        )
    return memberships


@transaction.atomic
def update_organizations_bulk(
    changes: Iterable[tuple[Organization, dict]], *, actor, note: str = ""
) -> int:
    """Apply ``{field: value}`` to each unit; one audit record per unit that really changed.
    Returns how many changed."""
    changed = 0
    for org, values in changes:
        before = snapshot(org)
        for field, value in values.items():
            setattr(org, field, value)
        org.save()
        changed += record_change(actor, org, before, note=note) is not None
    return changed


@transaction.atomic
def update_memberships_bulk(
    changes: Iterable[tuple[Membership, dict]], *, actor, note: str = ""
) -> int:
    """Apply ``{field: value}`` (role, valid_from, valid_to, note) to each membership; one audit
    record per membership that really changed. Returns how many changed."""
    changed = 0
    for membership, values in changes:
        before = snapshot(membership)
        for field, value in values.items():
            if field not in MEMBERSHIP_FIELDS:
                raise ValidationError(_("This field of a membership cannot be changed here."))
            setattr(membership, field, value)
        _check_period(membership.valid_from, membership.valid_to)
        membership.save()
        changed += record_change(actor, membership, before, note=note) is not None
    return changed


# -- federations and domains (set up by the national administrator and the demo) ---------------


@transaction.atomic
def create_federation(data: dict, *, actor, note="") -> Federation:
    """A hub federation enters the registry (its ``path`` is derived on save)."""
    if not data.get("name"):
        raise ValidationError(_("The federation's name is required."))
    federation = Federation.objects.create(**data)
    record_change(actor, federation, None, note=note)
    return federation


@transaction.atomic
def domain(name: str, *, actor) -> Domain:
    """The field of work called ``name``, created on first use."""
    found, created = Domain.objects.get_or_create(name=name)
    if created:
        record_change(actor, found, None)
    return found


@transaction.atomic
def set_domains(org: Organization, domains: Iterable[Domain], *, actor, note="") -> None:
    """Replace the unit's fields of work: the audit snapshot holds many-to-many links, so the
    change is the organization's own update record (nothing is written when nothing changed)."""
    old = sorted(org.domains.values_list("pk", flat=True))
    org.domains.set(domains)
    new = sorted(org.domains.values_list("pk", flat=True))
    if old != new:
        record_change(actor, org, {**snapshot(org, m2m=False), "domains": old}, note=note)


@transaction.atomic
def update_federation(federation: Federation, values: dict, *, actor, note="") -> Federation:
    """Change a federation's data; a new ``parent`` moves it, with every federation below it,
    in the hierarchy (their paths follow), never under itself or one of them."""
    parent = values.get("parent", federation.parent)
    if parent is not None and parent.path.startswith(federation.path):
        raise ValidationError(
            _("A federation cannot be placed under itself or a federation below it.")
        )
    before = snapshot(federation)
    old_path = federation.path
    for field, value in values.items():
        setattr(federation, field, value)
    federation.save()
    if federation.path != old_path:  # moved: the subtree's materialised paths follow
        for pk, path in (
            Federation.objects.filter(path__startswith=old_path)
            .exclude(pk=federation.pk)
            .values_list("pk", "path")
        ):
            Federation.objects.filter(pk=pk).update(path=federation.path + path[len(old_path) :])
    record_change(actor, federation, before, note=note)
    return federation


@transaction.atomic
def delete_federation(federation: Federation, *, actor, note="") -> None:
    record_change(actor, federation, snapshot(federation), deleted=True, note=note)
    federation.delete()


@transaction.atomic
def rename_domain(found: Domain, values: dict, *, actor, note="") -> Domain:
    before = snapshot(found)
    for field, value in values.items():
        setattr(found, field, value)
    found.save()
    record_change(actor, found, before, note=note)
    return found


@transaction.atomic
def delete_domain(found: Domain, *, actor, note="") -> None:
    record_change(actor, found, snapshot(found), deleted=True, note=note)
    found.delete()
