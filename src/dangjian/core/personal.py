"""The registry of personal data: which model fields hold it and how each is protected.

Masking in the audit trail (``core.audit.snapshot``), erasure (``party.services.anonymise_member``)
and key rotation (``dangjian rotate_keys``) all read this one list, so a field added here is
masked, erased and re-encrypted everywhere; a test checks that every encrypted column, blind
index and field named like personal data is listed. Models are named by label ("app.model") so
core imports no app.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from dangjian.core.masking import mask_id_number, mask_numbers_in_text, mask_phone

# What a personal field holds after erasure, and what old audit rows show instead of its value.
ANONYMOUS_NAME = "已匿名"
REDACTED = "已匿名"


class Kind(enum.StrEnum):
    NAME = "name"
    ID_NUMBER = "id_number"
    PHONE = "phone"
    DATE = "date"
    TEXT = "text"
    # Free text meant to hold a contact's phone: its numbers are masked in the trail.
    CONTACT = "contact"
    # Not personal data but a credential encrypted at rest: rotated, never shown in the trail.
    SECRET = "secret"  # noqa: S105 (a kind of field, not a password)


@dataclass(frozen=True)
class PersonalField:
    name: str
    kind: Kind
    encrypted: bool = False  # stored with core.fields.EncryptedTextField
    blind_index: str = ""  # the keyed-hash column kept beside it, rebuilt from it
    # The keyed hash of its last four characters (what a masked number shows), for a search by
    # that suffix (``core.crypto.suffix_index``).
    suffix_index: str = ""


F = PersonalField

FIELDS: dict[str, tuple[PersonalField, ...]] = {
    "party.partymember": (
        F("name", Kind.NAME),
        F("birth_date", Kind.DATE),
        F(
            "id_number",
            Kind.ID_NUMBER,
            encrypted=True,
            blind_index="id_number_hash",
            suffix_index="id_suffix_hash",
        ),
        F("phone", Kind.PHONE, encrypted=True),
        F("relation_external", Kind.TEXT),
    ),
    # The history of the member's 组织关系: an outside holder's name, as on the member.
    "party.relationperiod": (F("external", Kind.TEXT),),
    "party.instructor": (F("name", Kind.NAME), F("phone", Kind.PHONE, encrypted=True)),
    "governance.unitleader": (F("name", Kind.NAME),),
    "registry.organization": (
        F("contact_name", Kind.NAME),
        F("contact_phone", Kind.PHONE, encrypted=True),
    ),
    "applications.application": (
        F("contact_name", Kind.NAME),
        F("contact_phone", Kind.PHONE, encrypted=True),
    ),
    "applications.applicantmember": (
        F("name", Kind.NAME),
        F("id_number", Kind.ID_NUMBER, encrypted=True, blind_index="id_number_hash"),
        F("phone", Kind.PHONE, encrypted=True),
    ),
    # An applicant for party membership (recruitment): protected as a member is.
    "recruitment.applicant": (
        F("name", Kind.NAME),
        F("birth_date", Kind.DATE),
        F("id_number", Kind.ID_NUMBER, encrypted=True, blind_index="id_number_hash"),
        F("phone", Kind.PHONE, encrypted=True),
    ),
    "access.usersecurity": (F("totp_secret", Kind.SECRET, encrypted=True),),
    # A letter's contact line names a person and their phone; printed in the letter itself.
    "recommendations.letter": (F("contact_note", Kind.CONTACT, encrypted=True),),
    # The issuing committee's contact line printed on an introduction letter.
    "transfers.transfer": (F("contact_note", Kind.CONTACT, encrypted=True),),
    # Where a flowing member is, and what a contact with a member said.
    "party.flowingperiod": (F("whereabouts", Kind.TEXT),),
    "party.contactrecord": (F("note", Kind.TEXT),),
    # A background export's address: its search may be a name or an ID number (numbers masked
    # should it ever reach the trail; re-encrypted when the keys rotate).
    "access.exportfile": (F("source", Kind.CONTACT, encrypted=True),),
}

# The party member is the data subject; these models hold copies of a member's data, reached
# by the named foreign key to party.PartyMember (or, when it is empty, by the same blind index).
SUBJECT = "party.partymember"
COPIES_OF_SUBJECT: dict[str, str] = {
    "applications.applicantmember": "member",
    "party.relationperiod": "member",
    "recruitment.applicant": "member",
    "party.flowingperiod": "member",
    "party.contactrecord": "member",
}


def _hide(value: str) -> str:
    return "*" * 8 if value else ""


_MASKERS: dict[Kind, Callable[[str], str]] = {
    Kind.ID_NUMBER: mask_id_number,
    Kind.PHONE: mask_phone,
    Kind.CONTACT: mask_numbers_in_text,
    Kind.SECRET: _hide,
}


def fields_of(label: str) -> tuple[PersonalField, ...]:
    return FIELDS.get(label, ())


@cache
def maskers(label: str) -> dict[str, Callable[[str], str]]:
    """Field name → how the audit trail shows its value, for one model."""
    return {f.name: _MASKERS[f.kind] for f in fields_of(label) if f.kind in _MASKERS}


def encrypted_fields() -> Iterator[tuple[str, PersonalField]]:
    for label, fields in FIELDS.items():
        for field in fields:
            if field.encrypted:
                yield label, field


def blind_indexes() -> Iterator[tuple[str, str, str]]:
    """``(model label, hash field, clear field)`` for every blind index (suffix ones too)."""
    for label, field in encrypted_fields():
        if field.blind_index:
            yield label, field.blind_index, field.name
        if field.suffix_index:
            yield label, field.suffix_index, field.name


def index_function(label: str, hash_field: str) -> Callable[[str], str]:
    """How a blind-index column is computed from its clear value (a suffix index hashes the
    last four characters only)."""
    from dangjian.core import crypto

    if any(f.suffix_index == hash_field for f in fields_of(label)):
        return crypto.suffix_index
    return crypto.blind_index


def erasure(label: str, subject_pk: Any) -> dict[str, Any]:
    """The values that erase a row's personal data (its blind indexes emptied too).

    A name becomes "已匿名#<member id>", so anonymised members stay distinguishable in lists.
    """
    values: dict[str, Any] = {}
    for field in fields_of(label):
        if field.kind == Kind.NAME:
            values[field.name] = f"{ANONYMOUS_NAME}#{subject_pk}"
        elif field.kind == Kind.DATE:
            values[field.name] = None
        else:
            values[field.name] = ""
        if field.blind_index:
            values[field.blind_index] = ""
        if field.suffix_index:
            values[field.suffix_index] = ""
    return values


def redact_changes(label: str, changes: dict[str, Any]) -> dict[str, Any]:
    """An audit row's ``changes`` with the personal values replaced, the rest kept.

    Handles the three shapes core.audit writes: {"after": {...}}, {"before": {...}} and
    {"fields": {name: [old, new]}}; event data (flat keys) is redacted by the same names.
    """
    names = {f.name for f in fields_of(label)}

    def flat(data: dict[str, Any]) -> dict[str, Any]:
        return {k: (REDACTED if k in names and v not in (None, "") else v) for k, v in data.items()}

    result: dict[str, Any] = {}
    for key, value in changes.items():
        if key in ("after", "before") and isinstance(value, dict):
            result[key] = flat(value)
        elif key == "fields" and isinstance(value, dict):
            result[key] = {
                k: ([REDACTED if x not in (None, "") else x for x in v] if k in names else v)
                for k, v in value.items()
            }
        else:
            result[key] = REDACTED if key in names and value not in (None, "") else value
    return result
