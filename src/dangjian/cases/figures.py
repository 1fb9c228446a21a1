"""Figures a submission can pull from the ledger as of a date, so reviewers see them confirmed.

For a federation: its member units (its whole subtree), the organizational and work coverage
rates from the rules app's coverage module (the one definition of 组织覆盖率 / 工作覆盖率), and the
party organizations set up in it. For a unit: its full party members employed there, and
whether a party organization covers it. Confirmed figures store their kind; pages name them.
"""

from __future__ import annotations

import datetime

from dangjian.core.models import valid_on_q
from dangjian.party.models import Coverage, Employment, PartyMember, PartyOrganization
from dangjian.rules import coverage

SOURCE = "台账"


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def for_federation(federation, day: datetime.date) -> list[dict]:
    rates = coverage.as_of(coverage.Scope(federation), day)
    party_orgs = (
        PartyOrganization.objects.filter(
            valid_on_q(day), federation__path__startswith=federation.path
        )
        .exclude(status=PartyOrganization.Status.DISSOLVED)
        .count()
    )
    return [
        {"kind": "member_units", "label": "", "value": str(rates.total)},
        {"kind": "party_orgs", "label": "", "value": str(party_orgs)},
        {
            "kind": "coverage",
            "label": f"{rates.organizational}/{rates.total}",
            "value": _rate(rates.organizational_rate),
        },
        {
            "kind": "work_coverage",
            "label": f"{rates.work}/{rates.total}",
            "value": _rate(rates.work_rate),
        },
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


def from_ledger(submission, day: datetime.date) -> list[dict]:
    if submission.federation_id:
        return for_federation(submission.federation, day)
    return for_organization(submission.organization, day)
