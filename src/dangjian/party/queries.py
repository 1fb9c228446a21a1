"""The one definition of each party-ledger concept that several apps read.

The rules, the workflows' checks, the inspections' party section and the profile page all ask
these questions; each is answered here once — as querysets and subquery expressions, never
Python loops — so a workflow never accepts what the rules will flag later.

- a full member on a day: ``full_q`` (full by that day, still in the ledger that day);
- full members of units (by employer) or of party organizations (by 组织关系): ``full_members``;
- covered on a day: ``covered_q`` / ``covered_units`` / ``with_party_organization``;
- an instructor on a day: ``has_instructor``;
- a branch's voting members on a day: ``voting_members``; its probationary members
  (``probationary_members``) and its committee (``committee_members``);
- the four standards (四有): ``four_standards`` (and ``approval_missing_q`` /
  ``notice_missing_q`` for the rule's set form).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import valid_on_q
from dangjian.party.models import (
    Coverage,
    Employment,
    InstructorAssignment,
    PartyMember,
    PartyOrganization,
    Position,
)
from dangjian.registry.models import Federation, Membership, Organization

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# -- who is in a federation's ledger -----------------------------------------------------------


def members_of_federation(federation: Federation) -> QuerySet[PartyMember]:
    """Party members held in ``federation``'s ledger (or a ledger below it): employed, now or
    before, by one of its member units, or holding their 组织关系 in one of its party
    organizations. This is what the federation's officers may see and link to."""
    units = Membership.objects.filter(federation__path__startswith=federation.path).values(
        "organization"
    )
    employed = Employment.objects.filter(member=OuterRef("pk"), organization__in=units)
    return PartyMember.objects.filter(
        Q(Exists(employed))
        | Q(relation_party_organization__federation__path__startswith=federation.path)
    )


def held_elsewhere(hashes: list[str], federation: Federation) -> set[str]:
    """Of these ID-number blind indexes, those held only outside ``federation``'s ledger.

    Only the fact "held elsewhere" comes back (no name, no federation): the minimum a reviewer
    needs to know the member must be transferred first."""
    everywhere = set(
        PartyMember.objects.filter(id_number_hash__in=hashes).values_list(
            "id_number_hash", flat=True
        )
    )
    inside = set(
        members_of_federation(federation)
        .filter(id_number_hash__in=hashes)
        .values_list("id_number_hash", flat=True)
    )
    return everywhere - inside


# -- full members --------------------------------------------------------------------------------


def member_in_ledger_q(day: datetime.date, prefix: str = "") -> Q:
    """Still in the ledger on ``day``: not left, or left after it (a member who left on the
    day is no longer counted that day)."""
    return Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gt": day})


def full_q(day: datetime.date, prefix: str = "") -> Q:
    """A full member on ``day``: full membership on or before it (预备党员 are not), and still
    in the ledger that day."""
    return PartyMember.full_on_q(day, prefix) & member_in_ledger_q(day, prefix)


def full_employments(day: datetime.date) -> QuerySet[Employment]:
    """Employments valid on ``day`` of full members still in the ledger."""
    return Employment.objects.filter(valid_on_q(day), full_q(day, "member__"))


def full_members(
    *, on: datetime.date, by: str = "employer", units=None, party_orgs=None
) -> QuerySet[PartyMember]:
    """Full members on ``on``, counted the two ways DOMAIN.md §3.1 names:

    - ``by="employer"``: employed on that day by one of ``units`` (all units when None) — the
      "≥ 3 full members" count that obliges a unit to form a branch;
    - ``by="relation"``: holding their 组织关系 in one of ``party_orgs`` (any party organization
      when None) — a branch's own members. The relation is undated today, so on a past day it
      reads the current relation (the transfer history comes with a later issue).
    """
    if by == "employer":
        jobs = full_employments(on).filter(member=OuterRef("pk"))
        if units is not None:
            jobs = jobs.filter(organization__in=units)
        return PartyMember.objects.filter(Exists(jobs))
    if by == "relation":
        qs = PartyMember.objects.filter(full_q(on))
        if party_orgs is None:
            return qs.filter(relation_party_organization__isnull=False)
        return qs.filter(relation_party_organization__in=party_orgs)
    raise ValueError(f"full_members(by=...) is 'employer' or 'relation', not {by!r}")


def full_member_count(units, day: datetime.date) -> int:
    """Full members employed by any of ``units`` on ``day`` (each person once)."""
    return full_members(on=day, by="employer", units=units).count()


def full_member_count_q(day: datetime.date, ref: str = "pk"):
    """Subquery per unit: full members it employs on ``day`` (0 when none)."""
    counts = (
        full_employments(day)
        .filter(organization=OuterRef(ref))
        .order_by()
        .values("organization")
        .annotate(n=Count("member_id", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def relation_full_count(day: datetime.date, ref: str = "pk"):
    """Subquery per party organization: full members holding their relation there on ``day``."""
    counts = (
        PartyMember.objects.filter(full_q(day), relation_party_organization=OuterRef(ref))
        .order_by()
        .values("relation_party_organization")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def relation_counts(party_orgs, day: datetime.date) -> dict[int, int]:
    """{party org id: full members holding their relation there on ``day``} — one GROUP BY."""
    return dict(
        full_members(on=day, by="relation", party_orgs=party_orgs)
        .order_by()
        .values("relation_party_organization")
        .annotate(n=Count("pk"))
        .values_list("relation_party_organization", "n")
    )


def voting_members(party_org: PartyOrganization, *, on: datetime.date) -> QuerySet[PartyMember]:
    """The branch's voting members (有表决权的党员) on ``on``: full members holding their
    relation in it. Probationary members take part but do not vote, and do not count toward a
    general meeting's quorum (more than half of the voting members)."""
    return full_members(on=on, by="relation", party_orgs=[party_org])


def probationary_members(
    party_org: PartyOrganization, *, on: datetime.date
) -> QuerySet[PartyMember]:
    """The branch's probationary members (预备党员) on ``on``: joined by then, not yet full,
    holding their relation in it, still in the ledger. They attend its general meeting and take
    part, without a vote and without counting toward the quorum."""
    return (
        PartyMember.objects.filter(
            member_in_ledger_q(on), joined_party_on__lte=on, relation_party_organization=party_org
        )
        .exclude(full_member_on__lte=on)
        .order_by("name", "pk")
    )


def committee_members(party_org: PartyOrganization, *, on: datetime.date) -> QuerySet[PartyMember]:
    """The members of the party organization's committee (支部委员会) on ``on``: those holding a
    post in it that day (书记, 副书记, 委员 …), each once."""
    posts = Position.objects.filter(valid_on_q(on), party_organization=party_org)
    return PartyMember.objects.filter(pk__in=posts.values("member")).order_by("name", "pk")


def employed_members(units, day: datetime.date) -> QuerySet[PartyMember]:
    """Members (full or probationary) employed by any of ``units`` on ``day`` and still in the
    ledger that day."""
    employed = Employment.objects.filter(
        valid_on_q(day), organization__in=units, member=OuterRef("pk")
    )
    return PartyMember.objects.filter(Exists(employed)).filter(member_in_ledger_q(day))


# -- coverage and instructors ------------------------------------------------------------------


def covered_q(day: datetime.date, ref: str = "pk") -> Exists:
    """The unit at ``ref`` is covered by a party organization on ``day``."""
    return Exists(Coverage.objects.filter(valid_on_q(day), organization=OuterRef(ref)))


def covered_units(*, on: datetime.date, units=None) -> QuerySet[Organization]:
    """Units covered by a party organization on ``on`` (of ``units`` when given)."""
    qs = (
        Organization.objects.all()
        if units is None
        else Organization.objects.filter(
            pk__in=[u.pk if isinstance(u, Organization) else u for u in units]
        )
    )
    return qs.filter(covered_q(on))


def with_party_organization(qs: QuerySet[Organization], day: datetime.date | None = None):
    """Annotate ``has_party_org``: covered by a party organization on ``day`` (today)."""
    return qs.annotate(has_party_org=covered_q(day or timezone.localdate()))


def has_instructor(day: datetime.date, ref: str = "pk") -> Exists:
    """The unit at ``ref`` has an instructor assigned on ``day``."""
    return Exists(InstructorAssignment.objects.filter(valid_on_q(day), organization=OuterRef(ref)))


# -- the four standards (四有) -------------------------------------------------------------------


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
