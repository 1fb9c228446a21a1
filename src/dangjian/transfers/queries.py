"""What the transfers, flowing and lost-contact pages and rules read: transfers awaiting
acceptance, expired letters and receipts overdue (rulebook ``transfers.overdue``); a member's
last contact — the latest meeting attended, dues paid or contact reached — and the members out
of contact (rulebook ``members.lost_contact``); the dashboard's figures as of a day.

This app sits above orglife and dues (and below access): "last contact" reads both.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import (
    Case,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce, Greatest

from dangjian.dues.models import BranchLastPaid, DuesPayment
from dangjian.orglife.models import Attendance, LastRecorded, Meeting
from dangjian.party import queries as party_queries
from dangjian.party import standing_queries
from dangjian.party.models import ContactRecord, PartyMember, StandingDecision
from dangjian.rulebook import params
from dangjian.rulebook.periods import add_months
from dangjian.transfers.models import Transfer

RULE = "transfers.overdue"
LOST_RULE = "members.lost_contact"
NEVER = datetime.date(1900, 1, 1)


def pending(member: PartyMember) -> QuerySet[Transfer]:
    return Transfer.objects.filter(member=member, status=Transfer.Status.ISSUED)


def transfer_in_offer(party_org, units, day: datetime.date) -> QuerySet[PartyMember]:
    """The members a newly formed ``party_org`` is offered to transfer in (formation, issue 13
    point 3): employed on ``day`` by one of ``units`` and still in the ledger, holding their
    relation that day in another party organization of the system, with no transfer awaiting
    acceptance. Not offered: those already held by ``party_org``, and those whose relation is
    outside the system or unrecorded (their letter comes from outside: ``receive_from_outside``)."""
    awaiting = Transfer.objects.filter(member=OuterRef("pk"), status=Transfer.Status.ISSUED)
    return (
        party_queries.employed_members(units, day)
        .filter(party_queries.held_in_q(day))
        .exclude(party_queries.held_in_q(day, [party_org]))
        .exclude(Exists(awaiting))
        .order_by("name", "pk")
    )


def dues_paid_to(member: PartyMember) -> datetime.date | None:
    """The last month the member's dues were paid (党费交至), the first of that month."""
    return (
        DuesPayment.objects.filter(member=member)
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )


def receipt_months(federation=None, day=None) -> int:
    return int(params.value(RULE, "receipt_months", day=day, federation=federation))


def receipt_due(transfer: Transfer, *, federation=None) -> datetime.date | None:
    """The day the receipt (回执) is due: for a letter out of the system, ``receipt_months``
    after the last day it could be accepted; for one received from outside, after our
    acceptance. None within the system (the acceptance is the receipt) or once recorded."""
    if transfer.receipt_on is not None:
        return None
    months = receipt_months(federation or transfer.federation, transfer.issued_on)
    if transfer.is_out_of_system and transfer.status == Transfer.Status.ISSUED:
        return add_months(transfer.valid_until, months)
    if (
        transfer.is_from_outside
        and transfer.status == Transfer.Status.ACCEPTED
        and transfer.accepted_on is not None
    ):
        return add_months(transfer.accepted_on, months)
    return None


@dataclass(frozen=True)
class Overdue:
    transfer: Transfer
    what: str  # "expired" | "receipt"
    since: datetime.date  # the first day it is overdue


def overdue(transfers: QuerySet[Transfer], day: datetime.date) -> list[Overdue]:
    """Of ``transfers``, those overdue on ``day``: a letter past its validity and not accepted
    (expired: a new letter is needed), a receipt past its due day (not recorded). The day after
    the last valid day is the first day overdue."""
    rows: list[Overdue] = []
    open_ = transfers.filter(issued_on__lte=day).filter(
        Q(status=Transfer.Status.ISSUED)
        | Q(
            status=Transfer.Status.ACCEPTED,
            receipt_on__isnull=True,
            from_party_organization__isnull=True,
        )
    )
    one = datetime.timedelta(days=1)
    for t in open_.select_related(
        "member", "federation", "from_party_organization", "to_party_organization"
    ):
        if t.status == Transfer.Status.ISSUED and day > t.valid_until and not t.is_out_of_system:
            rows.append(Overdue(t, "expired", t.valid_until + one))
            continue
        due = receipt_due(t)
        if due is not None and day > due:
            rows.append(Overdue(t, "receipt", due + one))
        elif t.status == Transfer.Status.ISSUED and day > t.valid_until and t.is_out_of_system:
            # Not yet overdue for its receipt, but the letter itself has lapsed.
            rows.append(Overdue(t, "expired", t.valid_until + one))
    return rows


# -- last contact and lost contact ---------------------------------------------------------------


def _latest_by(fact: str, rows: QuerySet, day: datetime.date) -> Case:
    """The maintained latest date at ``fact`` (``orglife.LastAttended``, ``dues.LastPaid``)
    when it is on or before ``day`` — then it is the latest on or before ``day`` too; when it
    is after (a record dated after ``day``: a past day's question), the latest of ``rows``."""
    return Case(
        When(**{f"{fact}__gt": day}, then=Subquery(rows, output_field=DateField())),
        default=F(fact),
        output_field=DateField(),
    )


def last_contact_annotations(day: datetime.date) -> dict:
    """Per member (``pk``), the latest day on or before ``day`` they attended a held meeting,
    paid dues, or were reached (a contact record), and the latest of the three.

    The first two are read from the dates the orglife and dues services keep per member
    (``orglife.services.contact``, ``dues.contact``), not from every member's attendance and
    payments; contact records are few per member and read as rows."""
    attended = (
        Attendance.objects.filter(
            member=OuterRef("pk"),
            status=Attendance.Status.PRESENT,
            meeting__status=Meeting.Status.HELD,
            meeting__held_on__lte=day,
        )
        .order_by("-meeting__held_on")
        .values("meeting__held_on")[:1]
    )
    paid = (
        DuesPayment.objects.filter(member=OuterRef("pk"), paid_on__lte=day)
        .order_by("-paid_on")
        .values("paid_on")[:1]
    )
    reached = (
        ContactRecord.objects.filter(member=OuterRef("pk"), reached=True, on__lte=day)
        .order_by("-on")
        .values("on")[:1]
    )
    never = ExpressionWrapper(F("joined_party_on"), output_field=DateField())
    return {
        "last_attended": _latest_by("attended_fact__held_on", attended, day),
        "last_paid": _latest_by("paid_fact__paid_on", paid, day),
        "last_reached": Subquery(reached, output_field=DateField()),
        "last_contact": Greatest(
            Coalesce(_latest_by("attended_fact__held_on", attended, day), never),
            Coalesce(_latest_by("paid_fact__paid_on", paid, day), never),
            Coalesce(Subquery(reached, output_field=DateField()), never),
        ),
    }


def lost_contact_months(federation=None, day=None) -> int:
    return int(params.value(LOST_RULE, "months", day=day, federation=federation))


def keeping_records(party_orgs, since: datetime.date, day: datetime.date):
    """Of ``party_orgs``, those that kept their members' records in the system between
    ``since`` and ``day``: a held meeting with its attendance recorded, or a dues payment. Only
    there does a member's absence from the records say they were out of contact (a branch that
    records nothing here says nothing about its members).

    Read from the latest such day the orglife and dues services keep per party organization
    (``orglife.LastRecorded``, ``dues.BranchLastPaid``: an index range), not by testing every
    branch's meetings; where that day is after ``day``, from the rows themselves."""
    from dangjian.party.models import PartyOrganization

    attendance = Attendance.objects.filter(
        meeting__status=Meeting.Status.HELD,
        meeting__held_on__gt=since,
        meeting__held_on__lte=day,
    )
    dues = DuesPayment.objects.filter(paid_on__gt=since, paid_on__lte=day)
    recorded = LastRecorded.objects.filter(held_on__gt=since)
    collected = BranchLastPaid.objects.filter(paid_on__gt=since)
    # A union of four small reads, not an OR of IN-subqueries: PostgreSQL estimates a union
    # of index ranges, and so starts from these few branches' members; the OR made it guess
    # a third of all members and walk every one of them by name (3.5 s at 20,000 units).
    kept = (
        recorded.filter(held_on__lte=day)
        .values("pk")
        .union(
            collected.filter(paid_on__lte=day).values("pk"),
            recorded.filter(held_on__gt=day)
            .filter(Exists(attendance.filter(meeting__party_organization=OuterRef("pk"))))
            .values("pk"),
            collected.filter(paid_on__gt=day)
            .filter(Exists(dues.filter(party_organization=OuterRef("pk"))))
            .values("pk"),
        )
    )
    if isinstance(party_orgs, list | tuple | set):
        party_orgs = [getattr(p, "pk", p) for p in party_orgs]
    return PartyOrganization.objects.filter(pk__in=kept).filter(pk__in=party_orgs)


def out_of_contact(party_orgs, day: datetime.date, months: int) -> QuerySet[PartyMember]:
    """Members holding their relation on ``day`` in one of ``party_orgs`` that kept its records
    in the system over the months before (``keeping_records``), in normal standing, whose last
    contact (or joining the party, when there was none) is ``months`` or more before ``day``:
    the last contact on ``add_months(day, -months)`` is out of contact that day, one day later
    is not. Candidates for a person's decision, never declared by the system."""
    limit = add_months(day, -months)
    party_orgs = keeping_records(party_orgs, limit, day).values("pk")
    decided = [
        StandingDecision.Kind.LOST_CONTACT,
        StandingDecision.Kind.SUSPENDED,
        StandingDecision.Kind.REMOVED,
    ]
    return (
        PartyMember.objects.filter(
            party_queries.member_in_ledger_q(day), party_queries.held_in_q(day, party_orgs)
        )
        .exclude(standing_queries.standing_q(day, decided))
        .annotate(**last_contact_annotations(day))
        .filter(last_contact__lte=limit)  # type: ignore[misc]  # an annotation
        .annotate(
            branch_id=Subquery(
                party_queries.relations_on(day)
                .filter(member=OuterRef("pk"))
                .values("party_organization")[:1]
            )
        )
        .order_by("name", "pk")
    )


def removal_reviews(party_orgs, day: datetime.date, months: int) -> QuerySet[PartyMember]:
    """Members suspended on ``day`` (holding their relation in ``party_orgs``) whose suspension
    was decided ``months`` or more before it: the removal review is due (``suspended_on``)."""
    limit = add_months(day, -months)
    latest = (
        StandingDecision.objects.filter(member=OuterRef("pk"), decided_on__lte=day)
        .order_by("-decided_on", "-id")
        .values("decided_on")[:1]
    )
    return (
        PartyMember.objects.filter(
            standing_queries.suspended_q(day), party_queries.held_in_q(day, party_orgs)
        )
        .annotate(
            suspended_on=Subquery(latest, output_field=DateField()),
            branch_id=Subquery(
                party_queries.relations_on(day)
                .filter(member=OuterRef("pk"))
                .values("party_organization")[:1]
            ),
        )
        .filter(suspended_on__lte=limit)
        .order_by("name", "pk")
    )


# -- the dashboard's figures ---------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    pending: int
    overdue: int
    flowing: int
    lost_contact: int


def figures(kept, day: datetime.date, *, federation=None) -> Figures:
    """Transfers awaiting acceptance (out of or into the party organizations kept), overdue
    transfers, flowing members and members declared lost contact (or suspended), as of ``day``.

    ``kept``: the party organizations (a queryset of their ids), or a condition on the rows
    naming one, ``kept(field) -> Q`` (``access.scope.dues_branch_q``: a join per grant to the
    branch's federation, where an IN named every branch of the federation)."""
    on = kept if callable(kept) else (lambda field: Q(**{f"{field}__in": kept}))
    transfers = Transfer.objects.filter(
        on("from_party_organization") | on("to_party_organization"), issued_on__lte=day
    )
    awaiting = transfers.filter(Q(status=Transfer.Status.ISSUED) | Q(accepted_on__gt=day)).exclude(
        status__in=[Transfer.Status.RETURNED, Transfer.Status.CANCELLED]
    )
    # Counted from the few members flowing or declared lost, each checked on its relation.
    members = PartyMember.objects.filter(
        party_queries.member_in_ledger_q(day),
        party_queries.held_in_q(day, few=True, where=on("party_organization")),
    )
    return Figures(
        pending=awaiting.count(),
        overdue=len(
            overdue(
                transfers.filter(status__in=[Transfer.Status.ISSUED, Transfer.Status.ACCEPTED]), day
            )
        ),
        flowing=members.filter(pk__in=standing_queries.flowing_on(day).values("member")).count(),
        lost_contact=members.filter(standing_queries.lost_q(day)).count(),
    )
