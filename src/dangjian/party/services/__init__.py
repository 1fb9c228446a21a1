"""Every write on the party ledger's facts: members, employments, 组织关系, party
organizations, their coverage of units, posts, instructors and designations.

One function per business action, keyword ``actor``, atomic, audited, raising Django's
ValidationError with a Chinese message on bad input. The workflows (applications, recognition),
the ledger import, the demo builders and the admin all call these; the bulk forms are in
``party/bulk.py``. One module per fact family, every public name re-exported here.
Nothing else writes these models (tests/test_services_only.py).
"""

from dangjian.party.services.common import check_period
from dangjian.party.services.corrections import CORRECTABLE, correct, remove
from dangjian.party.services.instructors import (
    INSTRUCTOR_FIELDS,
    appoint_instructor,
    assign_instructor,
    designate,
    end_instructor,
    end_instructor_assignment,
    revoke_designation,
)
from dangjian.party.services.members import (
    ANONYMOUS_NAME,
    MEMBER_FIELDS,
    anonymise_member,
    close_employment,
    create_member,
    move_relation,
    register_or_link_member,
    start_employment,
    update_member,
)
from dangjian.party.services.organizations import (
    PARTY_ORG_FIELDS,
    add_coverage,
    appoint_position,
    dissolve_party_organization,
    end_coverage,
    end_position,
    form_party_organization,
    update_party_organization,
)

__all__ = [
    "ANONYMOUS_NAME",
    "CORRECTABLE",
    "INSTRUCTOR_FIELDS",
    "MEMBER_FIELDS",
    "PARTY_ORG_FIELDS",
    "add_coverage",
    "anonymise_member",
    "appoint_instructor",
    "appoint_position",
    "assign_instructor",
    "check_period",
    "close_employment",
    "correct",
    "create_member",
    "designate",
    "dissolve_party_organization",
    "end_coverage",
    "end_instructor",
    "end_instructor_assignment",
    "end_position",
    "form_party_organization",
    "move_relation",
    "register_or_link_member",
    "remove",
    "revoke_designation",
    "start_employment",
    "update_member",
    "update_party_organization",
]
