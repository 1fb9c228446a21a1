"""The party ledger: party organizations, their coverage of units, members, posts, instructors.

One module per part (Django finds an app's models through this package; code imports them from
here, ``dangjian.party.models``)."""

from dangjian.party.models.flowing import ContactRecord, FlowingPeriod, StandingDecision
from dangjian.party.models.instructors import Instructor, InstructorAssignment
from dangjian.party.models.members import Employment, PartyMember, Position, RelationPeriod
from dangjian.party.models.organizations import (
    Coverage,
    Designation,
    Election,
    PartyOrganization,
    TermExtension,
)

__all__ = [
    "ContactRecord",
    "Coverage",
    "Designation",
    "Election",
    "Employment",
    "FlowingPeriod",
    "Instructor",
    "InstructorAssignment",
    "PartyMember",
    "PartyOrganization",
    "Position",
    "RelationPeriod",
    "StandingDecision",
    "TermExtension",
]
