"""What each ledger means for the database: lookups, cross-column checks, upsert, audit.

``base`` holds the shared handlers (keyed upsert, unit facts); ``members`` the party member
ledger (the bulk path); ``organizations`` the member unit ledger; ``validity`` the ledgers of
facts with validity periods (memberships, party organizations with ``coverage``, positions,
instructors, meetings); ``elections`` the election ledger (terms and their approved
extensions); ``replay`` the ledgers of a member's life played row by row through their
services (``recruitment``, ``transfers``, ``flowing``); ``federations``, ``charters``, ``decisions``, ``annual_inspections`` and ``visits``
one ledger each.
"""

from __future__ import annotations

from django.utils import translation

from dangjian.ledgers.handlers.annual_inspections import AnnualInspectionHandler
from dangjian.ledgers.handlers.attendance import AttendanceHandler
from dangjian.ledgers.handlers.base import Handler, show
from dangjian.ledgers.handlers.charters import CharterHandler
from dangjian.ledgers.handlers.decisions import DecisionHandler
from dangjian.ledgers.handlers.dues import DuesHandler
from dangjian.ledgers.handlers.elections import ElectionHandler
from dangjian.ledgers.handlers.federations import FederationHandler
from dangjian.ledgers.handlers.flowing import FlowingHandler
from dangjian.ledgers.handlers.members import MemberHandler
from dangjian.ledgers.handlers.organizations import OrganizationHandler
from dangjian.ledgers.handlers.recruitment import RecruitmentHandler
from dangjian.ledgers.handlers.transfers import TransferHandler
from dangjian.ledgers.handlers.validity import (
    InstructorHandler,
    MeetingHandler,
    MembershipHandler,
    PartyOrgHandler,
    PositionHandler,
)
from dangjian.ledgers.handlers.visits import VisitHandler

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
        FederationHandler,
        CharterHandler,
        DecisionHandler,
        AnnualInspectionHandler,
        VisitHandler,
        ElectionHandler,
        AttendanceHandler,
        DuesHandler,
        RecruitmentHandler,
        TransferHandler,
        FlowingHandler,
    )
}


def handler_for(ledger: str) -> Handler:
    with translation.override("zh-hans"):
        return HANDLERS[ledger]()
