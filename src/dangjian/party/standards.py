"""The four standards (四有) of a party organization, DOMAIN.md §2.3.

- for one party organization on a day, each standard with what meets it: ``four_standards``
  (``Standard``, labelled by ``STANDARD_LABELS``);
- the set forms the rule ``standards.incomplete`` reads, a condition per standard not met:
  ``approval_missing_q``, ``secretary_missing_q``, ``notice_missing_q``,
  ``coverage_missing_q`` (with their pieces: ``document_on_record``, the dispatch notices on
  record ``notices``).

Their own module: the one definition both the formation workflow's checks and the rule read,
so that a workflow never accepts what the rule will flag — a standard changed here is changed
for both. None of it counts members (``party.queries``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import valid_on_q
from dangjian.party.models import Coverage, InstructorAssignment, PartyOrganization, Position
from dangjian.registry.models import Organization

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass
class Standard:
    code: str
    label: StrOrPromise  # one of STANDARD_LABELS, translated when shown
    met: bool
    detail: str


STANDARD_LABELS = {
    "approval": _("Approval document"),
    "secretary": _("Secretary"),
    "instructor": _("Instructor's dispatch notice"),
    "coverage": _("Itemised coverage"),
}


def document_on_record(number: str, date: datetime.date | None) -> bool:
    """A document (批文, 派遣通知) is on record when both its number (文号) and its date are."""
    return bool(number) and date is not None


def approval_missing_q(prefix: str = "") -> Q:
    """Party organizations whose approval document (有批文) is not on record."""
    return Q(**{f"{prefix}approval_doc_no": ""}) | Q(**{f"{prefix}approval_date__isnull": True})


def notices(day: datetime.date) -> QuerySet[InstructorAssignment]:
    """Dispatch notices on record by ``day``: assignments begun by then with number and date.
    An assignment that ended later (the instructor left once the branch stood) still counts:
    the standard is that the dispatch was notified, not that the instructor stays."""
    return InstructorAssignment.objects.filter(
        valid_from__lte=day, notice_date__isnull=False
    ).exclude(notice_no="")


def notice_missing_q(day: datetime.date) -> Q:
    """Instructor-driven party organizations with no dispatch notice on record by ``day`` for
    any unit they cover."""
    with_notice = Coverage.objects.filter(
        organization__in=notices(day).values("organization")
    ).values("party_organization")
    return Q(formation_mode=PartyOrganization.FormationMode.INSTRUCTOR_DRIVEN) & ~Q(
        pk__in=with_notice
    )


def secretary_missing_q(day: datetime.date) -> Q:
    """Party organizations with no secretary holding the post on ``day`` (有书记 not met)."""
    return ~Q(
        Exists(
            Position.objects.filter(
                valid_on_q(day), party_organization=OuterRef("pk"), role=Position.Role.SECRETARY
            )
        )
    )


def coverage_missing_q(day: datetime.date) -> Q:
    """Party organizations that cover no unit on ``day`` and stand over no party organization
    of their own (覆盖情况有明细 not met)."""
    return ~Q(pk__in=Coverage.objects.filter(valid_on_q(day)).values("party_organization")) & ~Q(
        pk__in=PartyOrganization.objects.filter(valid_on_q(day), parent__isnull=False).values(
            "parent"
        )
    )


def four_standards(party_org: PartyOrganization, *, on: datetime.date) -> list[Standard]:
    """The four standards (四有) of a party organization on ``on``, DOMAIN.md §2.3:

    1. 有批文 — the approval document's number **and** date are on record. The rule used to
       read the number only and the formation workflow asked for number, date and file; a 批文
       is cited by number and date (and the date is what shows the approval preceded the
       establishment), so both are required. The uploaded file is the formation workflow's
       archive requirement on top, not part of the standard (imported organizations have none).
    2. 有书记 — a secretary holds the post on the day.
    3. 派遣党建指导员有通知 — only where the mode is instructor-driven: a *dispatch* notice
       (the assignment's number and date, ``InstructorAssignment``), not the instructor's
       appointment notice (``Instructor.notice_no``, which the workflow used to read): the
       standard is about sending the instructor to these units.
    4. 覆盖情况有明细 — a branch covers at least one unit on the day (a party committee or
       general branch may instead stand over branches of its own).

    The rule (``standards.incomplete``) asks the same of every party organization at once with
    the set forms ``approval_missing_q``, ``secretary_missing_q``, ``notice_missing_q`` and
    ``coverage_missing_q``; a standard changed here is changed there too.
    """
    result = []
    ok = document_on_record(party_org.approval_doc_no, party_org.approval_date)
    result.append(
        Standard(
            "approval",
            STANDARD_LABELS["approval"],
            ok,
            f"{party_org.approval_doc_no}（{party_org.approval_date:%Y-%m-%d}）" if ok else "",
        )
    )
    secretary = (
        Position.objects.filter(
            valid_on_q(on), party_organization=party_org, role=Position.Role.SECRETARY
        )
        .select_related("member")
        .first()
    )
    result.append(
        Standard(
            "secretary",
            STANDARD_LABELS["secretary"],
            secretary is not None,
            secretary.member.name if secretary else "",
        )
    )
    if party_org.formation_mode != PartyOrganization.FormationMode.INSTRUCTOR_DRIVEN:
        result.append(Standard("instructor", STANDARD_LABELS["instructor"], True, ""))
    else:
        notice = (
            notices(on)
            .filter(organization__in=party_org.coverages.values("organization"))
            .order_by("valid_from")
            .first()
        )
        result.append(
            Standard(
                "instructor",
                STANDARD_LABELS["instructor"],
                notice is not None,
                notice.notice_no if notice else "",
            )
        )
    units = list(
        Organization.objects.filter(
            pk__in=party_org.coverages.filter(valid_on_q(on)).values("organization")
        ).values_list("name", flat=True)
    )
    stands_over_branches = PartyOrganization.objects.filter(
        valid_on_q(on), parent=party_org
    ).exists()
    result.append(
        Standard(
            "coverage",
            STANDARD_LABELS["coverage"],
            bool(units) or stands_over_branches,
            "、".join(units),
        )
    )
    return result
