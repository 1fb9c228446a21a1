"""Corrections from the admin: a fact entered wrongly, changed or removed field by field."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from dangjian.party.models import (
    Coverage,
    Designation,
    Employment,
    Instructor,
    InstructorAssignment,
    PartyMember,
    PartyOrganization,
    Position,
)
from dangjian.party.services.common import delete_fact, update_fact
from dangjian.party.services.instructors import INSTRUCTOR_FIELDS
from dangjian.party.services.members import MEMBER_FIELDS
from dangjian.party.services.organizations import PARTY_ORG_FIELDS

# -- corrections (the admin) -----------------------------------------------------------------

# What may be corrected on each fact; a real change of state has its own service above (end a
# post, close an employment, move a relation...).
CORRECTABLE = {
    PartyMember: MEMBER_FIELDS,
    Employment: ("job_title", "valid_from", "valid_to"),
    PartyOrganization: PARTY_ORG_FIELDS,
    Coverage: ("kind", "valid_from", "valid_to"),
    Position: ("role", "valid_from", "valid_to"),
    Instructor: INSTRUCTOR_FIELDS,
    InstructorAssignment: ("notice_no", "notice_date", "valid_from", "valid_to"),
    Designation: ("kind", "year", "granted_by", "revoked_on", "organization", "party_organization"),
}


@transaction.atomic
def correct(obj, values: dict, *, actor, note=""):
    """Correct a party fact entered wrongly: only the fields of ``CORRECTABLE`` may change."""
    return update_fact(obj, values, actor=actor, note=note, allowed=CORRECTABLE[type(obj)])


@transaction.atomic
def remove(obj, *, actor, note="") -> None:
    """Remove a party fact entered by mistake (real history is ended, never deleted; a departed
    member's personal data goes with ``anonymise_member``)."""
    if type(obj) not in CORRECTABLE:
        raise ValidationError(_("This record cannot be removed here."))
    delete_fact(obj, actor=actor, note=note)
