"""The terms of office of party organizations (任期, 换届), read from the election history.

- the rulebook's term lengths (``terms.overdue``): ``default_term_years``,
  ``max_extension_years``;
- the term in force on a day: ``term_in_force`` (``Term``) for one party organization,
  ``with_term_in_force`` annotating a queryset; the election that opened each one's term:
  ``terms_in_force``;
- the reminder due on a day (6, then 3 months before the deadline): ``term_reminder``; its set
  form ``terms_to_renew`` (the same test solved for the deadline in SQL by
  ``last_deadline_reminded``, per group of federations sharing the parameters:
  ``term_groups``), read from the kept ``PartyOrganization.term_deadline`` while
  ``kept_deadlines_hold``, else from the elections (``reached_from_elections``).

Their own module, apart from ``party.queries`` and its member counts: the 换届 rule, the
election and extension workflows (``party.services.terms``, which writes what these read), the
pages and the dashboard's terms chart all ask about terms, and nothing here reads a member.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import (
    Case,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from dangjian.core.models import valid_on_q
from dangjian.party.models import Election, PartyOrganization, TermExtension
from dangjian.registry.models import Federation
from dangjian.rulebook import loader as rulebook
from dangjian.rulebook import params
from dangjian.rulebook.periods import add_months, add_years, latest_start_overdue


def default_term_years(kind: str, federation=None, day: datetime.date | None = None) -> int:
    """The rulebook's term length for a kind: 5 years for a 基层党委, 3 for the others
    (关于党的基层组织任期的意见, 2018), with the federation's override."""
    name = (
        "committee_term_years" if kind == PartyOrganization.Kind.COMMITTEE else "branch_term_years"
    )
    return params.value("terms.overdue", name, day=day, federation=federation)


def max_extension_years(federation=None, day: datetime.date | None = None) -> int:
    """How far past its end the higher organization may extend a term (一般不超过1年)."""
    return params.value("terms.overdue", "max_extension_years", day=day, federation=federation)


# A term length: one for all, or each federation's (the rulebook lets a federation override it).
Years = int | Mapping[int, int]


def _years_by_kind(committee_years: Years, branch_years: Years, prefix: str = "") -> Case:
    """The rulebook's term length for a party organization's kind (and federation), as a CASE
    over its fields through the lookup ``prefix`` ("" on PartyOrganization itself)."""
    COMMITTEE = PartyOrganization.Kind.COMMITTEE
    kind, federation = f"{prefix}kind", f"{prefix}federation_id"
    if isinstance(committee_years, int) and isinstance(branch_years, int):
        return Case(
            When(**{kind: COMMITTEE}, then=Value(committee_years)),
            default=Value(branch_years),
            output_field=IntegerField(),
        )
    assert not isinstance(committee_years, int) and not isinstance(branch_years, int)
    whens = []
    for federation_id, years in committee_years.items():
        whens.append(When(**{federation: federation_id, kind: COMMITTEE}, then=Value(years)))
    for federation_id, years in branch_years.items():
        whens.append(When(**{federation: federation_id}, then=Value(years)))
    return Case(*whens, default=Value(None), output_field=IntegerField())


def with_term_in_force(
    qs: QuerySet[PartyOrganization],
    day: datetime.date,
    *,
    committee_years: Years | None = None,
    branch_years: Years | None = None,
) -> QuerySet[PartyOrganization]:
    """Annotate each party organization with its term in force on ``day``:

    - ``term_election`` / ``term_election_kind``: the last founding or general election held
      on or before the day (a by-election starts no term);
    - ``term_started_on`` / ``term_years``: that election's day and term length. With no
      election recorded and the lengths given, the first term is counted from the founding
      with the rulebook's length for the kind (the founding meeting elects the first
      committee); without the lengths, both stay empty. A length is one number, or a
      mapping of federation id to its number (``terms_to_renew``'s groups);
    - ``extended_until``: the latest end of an extension of that term approved on or before
      the day (empty when none: an extension is never automatic).
    """
    elected = Election.objects.filter(
        party_organization=OuterRef("pk"), kind__in=Election.TERM_KINDS, held_on__lte=day
    ).order_by("-held_on", "-pk")  # two the same day: the one recorded last (terms_in_force)
    qs = qs.annotate(
        term_election=Subquery(elected.values("pk")[:1]),
        elected_on=Subquery(elected.values("held_on")[:1], output_field=DateField()),
        term_election_kind=Subquery(elected.values("kind")[:1]),
        elected_years=Subquery(elected.values("term_years")[:1], output_field=IntegerField()),
    )
    if committee_years is None or branch_years is None:
        qs = qs.annotate(term_started_on=F("elected_on"), term_years=F("elected_years"))
    else:
        by_kind = _years_by_kind(committee_years, branch_years)
        qs = qs.annotate(
            term_started_on=Coalesce("elected_on", "valid_from", output_field=DateField()),
            term_years=Coalesce("elected_years", by_kind, output_field=IntegerField()),
        )
    extended = (
        TermExtension.objects.filter(election=OuterRef("term_election"), approved_on__lte=day)
        .order_by("-extended_until")
        .values("extended_until")[:1]
    )
    return qs.annotate(extended_until=Subquery(extended, output_field=DateField()))


@dataclass(frozen=True)
class Term:
    """A party organization's term in force on a day."""

    started_on: datetime.date
    years: int
    election_id: int | None  # None: no election recorded, counted from the founding
    extended_until: datetime.date | None  # an approved extension's end, in force by the day

    @property
    def ends_on(self) -> datetime.date:
        return add_years(self.started_on, self.years)

    @property
    def deadline(self) -> datetime.date:
        """The last day the term may run: its end, or the approved extension's."""
        return self.extended_until or self.ends_on

    def overdue_on(self, day: datetime.date) -> bool:
        return day > self.deadline


def term_in_force(party_org: PartyOrganization, day: datetime.date) -> Term | None:
    """The term of ``party_org`` in force on ``day`` (None before its founding)."""
    if day < party_org.valid_from:
        return None
    years = default_term_years(party_org.kind, party_org.federation, day)
    row = (
        with_term_in_force(  # annotates the term's fields (django-stubs cannot see them)
            PartyOrganization.objects.filter(pk=party_org.pk),
            day,
            # The length the 换届 rule applies that day to the organization's kind (one
            # lookup: the organization has one kind).
            committee_years=years,
            branch_years=years,
        )
        .values("term_started_on", "term_years", "term_election", "extended_until")  # type: ignore[misc]
        .get()
    )
    return Term(
        row["term_started_on"], row["term_years"], row["term_election"], row["extended_until"]
    )


@dataclass(frozen=True)
class TermReminder:
    """How near the end of the term in force is: ``months`` is the nearest of the rulebook's
    reminders reached (6, then 3 months before the deadline), None once overdue."""

    term: Term
    deadline: datetime.date
    months: int | None
    overdue: bool


def term_reminder(
    party_org: PartyOrganization, day: datetime.date, term: Term | None = None
) -> TermReminder | None:
    """The reminder due on ``day`` for the term of ``party_org`` (terms.overdue's
    ``reminder_months``), or None while the term's end is further off than every reminder.
    ``term``: the term in force that day, when the caller has read it already."""
    term = term or term_in_force(party_org, day)
    if term is None:
        return None
    deadline = term.deadline
    if term.overdue_on(day):
        return TermReminder(term, deadline, None, True)
    months = params.value(
        "terms.overdue", "reminder_months", day=day, federation=party_org.federation
    )
    reached = [int(m) for m in months if add_months(deadline, -int(m)) <= day]
    if not reached:
        return None
    return TermReminder(term, deadline, min(reached), False)


def last_deadline_reminded(day: datetime.date, months: int) -> datetime.date:
    """The latest term deadline whose reminder ``months`` before it is reached by ``day``
    (``term_reminder``'s test, add_months(deadline, -months) <= day, solved for the deadline
    so a list can ask it in SQL). add_months clips the day to the month's end, so the answer
    is add_months(day, months) or up to three days later (31 August, 6 months before: 28
    February)."""
    guess = add_months(day, months)
    return max(
        guess + datetime.timedelta(days=d)
        for d in range(4)
        if add_months(guess + datetime.timedelta(days=d), -months) <= day
    )


@dataclass(frozen=True)
class TermGroup:
    """Federations that share the term parameters on a day: the lengths, and the latest
    deadline reminded by the day (``last_deadline_reminded`` for the furthest reminder).
    ``federation_ids`` None: every federation (no override anywhere)."""

    committee_years: int
    branch_years: int
    limit: datetime.date
    federation_ids: list[int] | None

    def q(self, field: str = "federation_id") -> Q:
        return Q() if self.federation_ids is None else Q(**{f"{field}__in": self.federation_ids})


def term_groups(day: datetime.date) -> list[TermGroup]:
    """The federations grouped by their term parameters on ``day`` (one query for the
    overrides, as the rules engine groups them): a condition per group, not per federation
    — and no federation named at all when none overrides them."""
    book = rulebook.load()
    revision = book.revision_on("terms.overdue", day) or book.revisions["terms.overdue"][0]
    groups = rulebook.parameter_groups(revision, Federation.objects.only("pk", "path"), day)
    # No federation yet: the rulebook's own values.
    groups = groups or [(revision.parameters, [])]
    return [
        TermGroup(
            committee_years=int(values["committee_term_years"]),
            branch_years=int(values["branch_term_years"]),
            limit=last_deadline_reminded(day, max(int(m) for m in values["reminder_months"])),
            federation_ids=None if len(groups) == 1 else ids,
        )
        for values, ids in groups
    ]


def _lengths(groups: list[TermGroup]) -> tuple[Years, Years]:
    """The groups' lengths as ``with_term_in_force`` takes them: one number each when every
    federation shares them, else per federation id."""
    if len(groups) == 1 and groups[0].federation_ids is None:
        return groups[0].committee_years, groups[0].branch_years
    committee = {pk: g.committee_years for g in groups for pk in g.federation_ids or []}
    branch = {pk: g.branch_years for g in groups for pk in g.federation_ids or []}
    return committee, branch


def terms_to_renew(
    qs: QuerySet[PartyOrganization], day: datetime.date
) -> QuerySet[PartyOrganization]:
    """The party organizations of ``qs`` whose term in force has reached a reminder on
    ``day`` (``term_reminder`` is not None: the deadline is within the rulebook's furthest
    reminder, 6 months, or past) and that exist on ``day``, annotated as
    ``with_term_in_force`` with the lengths of each one's federation. Compared in SQL per
    group of federations sharing the parameters, as the rule ``terms.overdue`` does (no date
    arithmetic in SQL)."""
    groups = term_groups(day)
    if kept_deadlines_hold(day):
        reached = qs.filter(valid_on_q(day), kept_deadline_reached_q(groups))
    else:
        reached = reached_from_elections(qs, day, groups)
    committee, branch = _lengths(groups)
    return with_term_in_force(reached, day, committee_years=committee, branch_years=branch)


def kept_deadlines_hold(day: datetime.date) -> bool:
    """Whether ``PartyOrganization.term_deadline`` (the latest term recorded) is each one's
    term in force on ``day``: so unless a term election is dated after the day or an
    extension approved after it (an as-of view into the past). Two indexed probes."""
    return not (
        Election.objects.filter(held_on__gt=day, kind__in=Election.TERM_KINDS).exists()
        or TermExtension.objects.filter(approved_on__gt=day).exists()
    )


def kept_deadline_reached_q(groups: list[TermGroup]) -> Q:
    """The kept deadline within the furthest reminder (or past); never elected, the first
    term counted from the founding with the length for its kind."""
    K = PartyOrganization.Kind
    reached = Q(pk__in=[])
    for group in groups:
        after = group.limit + datetime.timedelta(days=1)
        reached |= group.q() & (
            Q(term_deadline__lte=group.limit)
            | Q(
                term_deadline__isnull=True,
                kind=K.COMMITTEE,
                valid_from__lte=latest_start_overdue(after, group.committee_years, 0),
            )
            | (
                Q(term_deadline__isnull=True)
                & ~Q(kind=K.COMMITTEE)
                & Q(valid_from__lte=latest_start_overdue(after, group.branch_years, 0))
            )
        )
    return reached


def reached_from_elections(
    qs: QuerySet[PartyOrganization], day: datetime.date, groups: list[TermGroup]
) -> QuerySet[PartyOrganization]:
    """``terms_to_renew``'s filter read from the elections themselves, for a day before the
    latest recorded (the kept deadlines do not hold for it)."""
    committee, branch = _lengths(groups)
    lengths = {g.committee_years for g in groups} | {g.branch_years for g in groups}
    for years in (
        Election.objects.filter(term_years__isnull=False)
        .order_by()
        .values_list("term_years", flat=True)
        .distinct()
    ):
        lengths.add(int(years or 0))
    # Decided without annotating every organization: the term election in force (one
    # anti-join over the elections, ``terms_in_force``) and the founding of those never
    # elected, compared per group of federations and term length. The annotations
    # ``with_term_in_force`` adds afterwards are for the rows shown (and left out of a count):
    # computed per organization by five correlated subqueries, they cost 2 s at 58,000 party
    # organizations when the filter itself read them.
    elections = terms_in_force(day).annotate(
        years=Coalesce(
            "term_years",
            _years_by_kind(committee, branch, "party_organization__"),
            output_field=IntegerField(),
        )
    )
    # Approved extensions are few: read once (the latest end of each election's by the day),
    # so that no election row is tested for one in SQL.
    extended: dict[int, tuple[datetime.date, int]] = {}
    for election_id, until, federation_id in TermExtension.objects.filter(
        approved_on__lte=day
    ).values_list("election_id", "extended_until", "election__party_organization__federation_id"):
        if election_id not in extended or until > extended[election_id][0]:
            extended[election_id] = (until, federation_id)
    ends, by_extension = Q(pk__in=[]), []
    by_founding = Q(pk__in=[])
    for group in groups:
        # A term ends on add_years(start, years): on or before ``limit`` when it ends before
        # the day after. An approved extension's end replaces it.
        for years in lengths:
            latest = latest_start_overdue(group.limit + datetime.timedelta(days=1), years, 0)
            ends |= group.q("party_organization__federation_id") & Q(
                years=years, held_on__lte=latest
            )
            by_founding |= group.q() & Q(founding_years=years, valid_from__lte=latest)
        by_extension += [
            pk
            for pk, (until, federation_id) in extended.items()
            if (group.federation_ids is None or federation_id in group.federation_ids)
            and until <= group.limit
        ]
    by_election = (ends & ~Q(pk__in=list(extended))) | Q(pk__in=by_extension)
    never_elected = ~Q(
        Exists(
            Election.objects.filter(
                party_organization=OuterRef("pk"), kind__in=Election.TERM_KINDS, held_on__lte=day
            )
        )
    )
    return qs.annotate(founding_years=_years_by_kind(committee, branch)).filter(
        valid_on_q(day),
        Q(pk__in=elections.filter(by_election).values("party_organization_id"))
        | (never_elected & by_founding),
    )


def terms_in_force(day: datetime.date) -> QuerySet[Election]:
    """The election whose term is in force on ``day`` for each party organization that has
    one: its last founding or general election held by then (two on the same day: the one
    recorded last), found by one anti-join rather than a subquery per organization."""
    term = Q(kind__in=Election.TERM_KINDS, held_on__lte=day)
    later = Election.objects.filter(term, party_organization=OuterRef("party_organization")).filter(
        Q(held_on__gt=OuterRef("held_on")) | Q(held_on=OuterRef("held_on"), pk__gt=OuterRef("pk"))
    )
    return Election.objects.filter(term).exclude(Exists(later))
