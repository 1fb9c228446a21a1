"""Every write on the party ledger's facts: members, employments, 组织关系 (dated), party
organizations (with their elections and approved extensions), their coverage of units, posts, instructors and designations.

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
from dangjian.party.services.relations import (
    correct_relation_start,
    earliest_start,
    move_relation,
    move_relations_bulk,
    remove_relation_period,
    start_relations_bulk,
)
from dangjian.party.services.standing import (
    end_flowing,
    record_contact,
    record_standing_decision,
    register_flowing,
)
from dangjian.party.services.terms import (
    approve_term_extension,
    keep_term_deadlines,
    record_election,
    remove_election,
    remove_term_extension,
    update_election,
    update_term_extension,
)

__all__ = [
    "register_flowing",
    "record_standing_decision",
    "record_contact",
    "end_flowing",
    "ANONYMOUS_NAME",
    "CORRECTABLE",
    "INSTRUCTOR_FIELDS",
    "MEMBER_FIELDS",
    "PARTY_ORG_FIELDS",
    "add_coverage",
    "anonymise_member",
    "appoint_instructor",
    "appoint_position",
    "approve_term_extension",
    "assign_instructor",
    "check_period",
    "close_employment",
    "correct",
    "correct_relation_start",
    "create_member",
    "designate",
    "dissolve_party_organization",
    "earliest_start",
    "end_coverage",
    "end_instructor",
    "end_instructor_assignment",
    "end_position",
    "form_party_organization",
    "keep_term_deadlines",
    "move_relation",
    "record_election",
    "register_or_link_member",
    "remove",
    "remove_election",
    "remove_relation_period",
    "remove_term_extension",
    "revoke_designation",
    "start_employment",
    "move_relations_bulk",
    "start_relations_bulk",
    "update_election",
    "update_member",
    "update_party_organization",
    "update_term_extension",
]
