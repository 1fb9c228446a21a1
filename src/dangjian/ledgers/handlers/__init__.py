"""What each ledger means for the database: lookups, cross-column checks, upsert, audit.

``base`` holds the shared handler; ``members`` the party member ledger (the bulk path);
``organizations`` the member unit ledger; ``validity`` the ledgers of facts with validity
periods (memberships, party organizations, positions, instructors, meetings); ``dues`` the
party dues ledger (payments, through the dues services).
"""

from __future__ import annotations

from django.utils import translation

from dangjian.ledgers.handlers.base import Handler, show
from dangjian.ledgers.handlers.dues import DuesHandler
from dangjian.ledgers.handlers.members import MemberHandler
from dangjian.ledgers.handlers.organizations import OrganizationHandler
from dangjian.ledgers.handlers.validity import (
    InstructorHandler,
    MeetingHandler,
    MembershipHandler,
    PartyOrgHandler,
    PositionHandler,
)

__all__ = ["HANDLERS", "Handler", "handler_for", "show"]

HANDLERS = {
    h.ledger: h
    for h in (
        MemberHandler,
        OrganizationHandler,
        MembershipHandler,
        PartyOrgHandler,
        PositionHandler,
        InstructorHandler,
        MeetingHandler,
        DuesHandler,
    )
}


def handler_for(ledger: str) -> Handler:
    with translation.override("zh-hans"):
        return HANDLERS[ledger]()
