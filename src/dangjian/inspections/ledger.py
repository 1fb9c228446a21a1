"""The party-building section of an annual inspection, pre-filled from the ledger.

Only counts and names of organizations and instructors go into it: the section is shown to
authority viewers, who never see personal data.
"""

from __future__ import annotations

import datetime
import math

from django.db.models import Count, Q

from dangjian.core.models import valid_on_q
from dangjian.orglife.models import Meeting
from dangjian.party import queries
from dangjian.party.models import Coverage, Employment, InstructorAssignment, Position

# Required frequency per year of each kind of meeting (DOMAIN.md §3.3, (cfg)); "per quarter" is
# 4, "per month" 12, prorated by the months the party organization existed in the year.
REQUIRED_PER_YEAR = {
    Meeting.Kind.GENERAL_MEETING: 4,
    Meeting.Kind.PARTY_LESSON: 4,
    Meeting.Kind.THEME_DAY: 12,
    Meeting.Kind.LIFE_MEETING: 1,
    Meeting.Kind.DEMOCRATIC_REVIEW: 1,
}


def _months_active(start: datetime.date, end: datetime.date) -> int:
    if end < start:
        return 0
    return (end.year - start.year) * 12 + end.month - start.month + 1


def party_section(organization, year: int, today: datetime.date) -> dict:
    """The ledger's picture of ``organization`` for work year ``year`` (as of its last day)."""
    year_start = datetime.date(year, 1, 1)
    as_of = min(datetime.date(year, 12, 31), today)
    coverage = (
        Coverage.objects.filter(valid_on_q(as_of), organization=organization)
        .select_related("party_organization")
        .order_by("-valid_from")
        .first()
    )
    employed = Employment.objects.filter(valid_on_q(as_of), organization=organization).filter(
        Q(member__left_on__isnull=True) | Q(member__left_on__gt=as_of),
        member__joined_party_on__lte=as_of,
    )
    full = queries.full_members(on=as_of, by="employer", units=[organization]).count()
    total = employed.values("member").distinct().count()
    assignment = (
        InstructorAssignment.objects.filter(valid_on_q(as_of), organization=organization)
        .select_related("instructor")
        .order_by("-valid_from")
        .first()
    )
    section: dict = {
        "year": year,
        "as_of": as_of.isoformat(),
        "party_organization": None,
        "coverage_kind": "",
        "full_members": full,
        "probationary_members": total - full,
        "secretary_in_post": False,
        "meetings": [],
        "instructor": assignment.instructor.name if assignment else "",
        "instructor_notice_no": assignment.notice_no if assignment else "",
    }
    if coverage is None:
        return section
    party_org = coverage.party_organization
    section["party_organization"] = party_org.name
    section["party_organization_id"] = party_org.pk
    section["party_organization_kind"] = party_org.get_kind_display()
    section["coverage_kind"] = coverage.kind
    section["secretary_in_post"] = Position.objects.filter(
        valid_on_q(as_of), party_organization=party_org, role=Position.Role.SECRETARY
    ).exists()
    start = max(year_start, party_org.valid_from)
    months = _months_active(start, as_of)
    held = dict(
        Meeting.objects.filter(party_organization=party_org, held_on__range=(start, as_of))
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    for kind, per_year in REQUIRED_PER_YEAR.items():
        required = math.ceil(per_year * months / 12) if months else 0
        section["meetings"].append(
            {
                "kind": str(kind),
                "held": held.get(kind, 0),
                "required": required,
            }
        )
    return section
