"""Figures a submission can pull from the ledger as of a date, so reviewers see them confirmed.

For a federation: its member units (its whole subtree), the party organizations set up in it,
and the organizational coverage rate (units covered by a party organization — own, joint or via
the board — ÷ member units, the 中办发〔2012〕11号 definition). The counts are read straight from
the registry and party models here; the rules app's coverage module was not there when this was
written, and this should call it once it is, so that both give one number.
For a unit: its full party members employed there, and whether a party organization covers it.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef

from dangjian.core.models import valid_on_q
from dangjian.party.models import Coverage, Employment, PartyMember, PartyOrganization
from dangjian.registry.models import Organization

SOURCE = "台账"


def for_federation(federation, day: datetime.date) -> list[dict]:
    units = Organization.objects.members_of(federation, day)
    total = units.count()
    covered = units.filter(
        Exists(Coverage.objects.filter(valid_on_q(day), organization=OuterRef("pk")))
    ).count()
    party_orgs = (
        PartyOrganization.objects.filter(
            valid_on_q(day), federation__path__startswith=federation.path
        )
        .exclude(status=PartyOrganization.Status.DISSOLVED)
        .count()
    )
    rate = f"{covered * 100 / total:.1f}%" if total else "—"
    return [
        {"kind": "member_units", "label": "", "value": str(total)},
        {"kind": "party_orgs", "label": "", "value": str(party_orgs)},
        {"kind": "coverage", "label": f"{covered}/{total}", "value": rate},
    ]


def for_organization(organization, day: datetime.date) -> list[dict]:
    full = (
        Employment.objects.filter(valid_on_q(day), organization=organization)
        .filter(PartyMember.full_on_q(day, "member__"))
        .values("member")
        .distinct()
        .count()
    )
    covered = Coverage.objects.filter(valid_on_q(day), organization=organization).exists()
    return [
        {"kind": "full_members", "label": "", "value": str(full)},
        {"kind": "covered", "label": "", "value": "1" if covered else "0"},
    ]


# Confirmed figures store the kind; the page names it (in the reader's language) from the kind.
def from_ledger(submission, day: datetime.date) -> list[dict]:
    if submission.federation_id:
        return for_federation(submission.federation, day)
    return for_organization(submission.organization, day)
