"""The ledgers' columns: the file format of each template, with header synonyms and notes.

The Chinese headers, synonyms and notes below are the format of the files users exchange (a
header is matched whatever the interface language is), so they are written in Chinese here
rather than translated. Coded columns accept the Chinese label of the model's choices (as the
template's drop-down shows it), the stored code, and the extra spellings listed.

One module per concern: ``base`` (the template's version and marks, ``Column``, ``Ledger``
and the helpers the columns share), ``members`` (members, units, memberships, party
organizations, positions, instructors), ``orglife`` (meetings, attendance, dues),
``governance`` (federations, charters, decisions, inspections, visits, elections) and
``registry`` (``LEDGERS``, ``ledger``, ``header_index``); every public name is re-exported
here, with ``_yes_no_note`` for ``lifecycle_specs``. ``registry`` is imported last: it
imports ``lifecycle_specs``, which imports its names from this package.
"""

from dangjian.ledgers.specs.base import (
    DATE_NOTE,
    DEFINED_NAME,
    META_SHEET,
    NOTES_SHEET,
    OLD_TEMPLATE_VERSIONS,
    TEMPLATE_VERSION,
    Column,
    Ledger,
    _yes_no_note,
    choice_labels,
    header_key,
)
from dangjian.ledgers.specs.governance import (
    CHARTER_COLUMNS,
    DECISION_COLUMNS,
    ELECTION_COLUMNS,
    FEDERATION_COLUMNS,
    INSPECTION_COLUMNS,
    UNIT_NAME,
    UNIT_USCC,
    VISIT_COLUMNS,
    FederationLevel,
)
from dangjian.ledgers.specs.members import (
    INSTRUCTOR_COLUMNS,
    MEMBER_COLUMNS,
    MEMBERSHIP_COLUMNS,
    ORGANIZATION_COLUMNS,
    PARTY_ORG_COLUMNS,
    POSITION_COLUMNS,
)
from dangjian.ledgers.specs.orglife import ATTENDANCE_COLUMNS, DUES_COLUMNS, MEETING_COLUMNS
from dangjian.ledgers.specs.registry import LEDGERS, header_index, ledger

__all__ = [
    "ATTENDANCE_COLUMNS",
    "CHARTER_COLUMNS",
    "DATE_NOTE",
    "DECISION_COLUMNS",
    "DEFINED_NAME",
    "DUES_COLUMNS",
    "ELECTION_COLUMNS",
    "FEDERATION_COLUMNS",
    "INSPECTION_COLUMNS",
    "INSTRUCTOR_COLUMNS",
    "LEDGERS",
    "MEETING_COLUMNS",
    "MEMBERSHIP_COLUMNS",
    "MEMBER_COLUMNS",
    "META_SHEET",
    "NOTES_SHEET",
    "OLD_TEMPLATE_VERSIONS",
    "ORGANIZATION_COLUMNS",
    "PARTY_ORG_COLUMNS",
    "POSITION_COLUMNS",
    "TEMPLATE_VERSION",
    "UNIT_NAME",
    "UNIT_USCC",
    "VISIT_COLUMNS",
    "Column",
    "FederationLevel",
    "Ledger",
    "_yes_no_note",
    "choice_labels",
    "header_index",
    "header_key",
    "ledger",
]
