"""Terms of party organizations: elections and approved extensions, the dated history the 换届
rule and the pages read (``party.term_queries.term_in_force``)."""

from __future__ import annotations

import copy
import datetime
from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from dangjian.core import bulk
from dangjian.core.audit import record_change, record_event
from dangjian.core.events import AuditEvent
from dangjian.party import term_queries
from dangjian.party.models import (
    Election,
    PartyMember,
    PartyOrganization,
    Position,
    TermExtension,
)
from dangjian.party.services.common import delete_fact, update_fact
from dangjian.party.services.organizations import appoint_position, end_position
from dangjian.rulebook.periods import add_years

ONE_DAY = datetime.timedelta(days=1)
IDS_PER_QUERY = 500
ELECTION_FIELDS = ("kind", "term_years", "document_no")
EXTENSION_FIELDS = ("approved_on", "approved_by", "document_no", "extended_until")


def check_election_day(party_org: PartyOrganization, held_on: datetime.date) -> None:
    """An election is held while the party organization exists."""
    if held_on < party_org.valid_from:
        raise ValidationError(
            _("An election cannot be held before the party organization was established (%(day)s).")
            % {"day": party_org.valid_from.isoformat()}
        )
    if party_org.valid_to is not None and held_on > party_org.valid_to:
        raise ValidationError(
            _("The party organization was dissolved on %(day)s, before this election.")
            % {"day": party_org.valid_to.isoformat()}
        )


def check_term_years(years) -> None:
    if not years or not 1 <= years <= 10:
        raise ValidationError(_("The term length is a whole number of years from 1 to 10."))


def _check_election(election: Election) -> None:
    party_org = election.party_organization
    check_election_day(party_org, election.held_on)
    if election.starts_term:
        check_term_years(election.term_years)
    else:
        election.term_years = None  # a by-election starts no term
    earlier_terms = Election.objects.filter(
        party_organization=party_org, kind__in=Election.TERM_KINDS, held_on__lt=election.held_on
    ).exclude(pk=election.pk)
    if election.kind == Election.Kind.FOUNDING and earlier_terms.exists():
        raise ValidationError(
            _("A founding election comes first; this party organization held one before.")
        )


@transaction.atomic
def record_election(
    party_org: PartyOrganization,
    *,
    held_on: datetime.date,
    kind: str | None = None,
    term_years: int | None = None,
    document_no: str = "",
    posts: Iterable[tuple[PartyMember, str]] | None = None,
    actor,
    note="",
) -> Election:
    """``party_org`` held an election on ``held_on``.

    ``kind``: founding, general (换届) or by-election (补选); by default founding on the day
    the organization was established, general otherwise. A founding or general election starts
    a term of ``term_years`` (by default the rulebook's length for the organization's kind on
    that day). ``posts`` (optional): the posts it filled, as ``(member, role)`` pairs — after a
    founding or general election every post held before ends the day before and the elected
    take theirs from ``held_on``; a by-election only adds its posts. For the ledger import and
    the meeting pages (an election recorded with its general meeting) alike.
    """
    if held_on is None:
        raise ValidationError(_("The date of the election is required."))
    kind = kind or (
        Election.Kind.FOUNDING if held_on == party_org.valid_from else Election.Kind.GENERAL
    )
    if kind not in Election.Kind.values:
        raise ValidationError(_("Unknown kind of election."))
    if Election.objects.filter(party_organization=party_org, held_on=held_on).exists():
        raise ValidationError(
            _("An election of this party organization on %(day)s is already recorded.")
            % {"day": held_on.isoformat()}
        )
    if kind in Election.TERM_KINDS and not term_years:
        term_years = term_queries.default_term_years(party_org.kind, party_org.federation, held_on)
    election = Election(
        party_organization=party_org,
        held_on=held_on,
        kind=kind,
        term_years=term_years,
        document_no=document_no or "",
    )
    _check_election(election)
    election.save()
    keep_term_deadlines([party_org.pk])
    record_change(actor, election, None, note=note)
    record_event(
        actor,
        AuditEvent.PARTY_ELECTION_RECORDED,
        party_org,
        note=note,
        held_on=str(held_on),
        kind=kind,
        term_years=election.term_years,
    )
    if posts is not None:
        posts = list(posts)
        if election.starts_term:
            for position in Position.objects.filter(
                party_organization=party_org, valid_to__isnull=True, valid_from__lt=held_on
            ):
                end_position(position, on=held_on - ONE_DAY, actor=actor, note=note)
        for member, role in posts:
            appoint_position(
                party_org, member, role=role, valid_from=held_on, actor=actor, note=note
            )
    return election


def _refuse_unknown(values: dict, allowed: tuple[str, ...]) -> None:
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValidationError(
            _("The field %(field)s cannot be changed here.") % {"field": sorted(unknown)[0]}
        )


@transaction.atomic
def update_election(election: Election, values: dict, *, actor, note="") -> Election:
    """Correct an election's kind, term length or document (its day is its identity: remove
    a wrong one and record it again). Its extensions must still fit the corrected term."""
    _refuse_unknown(values, ELECTION_FIELDS)
    stored = (
        Election.objects.select_for_update()
        .select_related("party_organization")
        .get(pk=election.pk)
    )
    corrected = copy.copy(stored)
    for field, value in values.items():
        setattr(corrected, field, value)
    _check_election(corrected)
    for extension in stored.extensions.all():
        extension.election = corrected
        _check_extension(extension)
    updated = update_fact(
        stored, {f: getattr(corrected, f) for f in ELECTION_FIELDS}, actor=actor, note=note
    )
    keep_term_deadlines([stored.party_organization_id])
    return updated


@transaction.atomic
def remove_election(election: Election, *, actor, note="") -> None:
    """Remove an election recorded by mistake (with the extensions of its term)."""
    for extension in election.extensions.all():
        delete_fact(extension, actor=actor, note=note)
    delete_fact(election, actor=actor, note=note)
    keep_term_deadlines([election.party_organization_id])


# -- extensions --------------------------------------------------------------------------------


def check_extension_dates(
    *,
    term_start: datetime.date,
    term_years: int,
    approved_on: datetime.date,
    extended_until: datetime.date,
    federation=None,
) -> None:
    """An extension of the term begun on ``term_start``: approved while the term ran or after
    (never before it began), running past the term's end, and at most the rulebook's
    ``max_extension_years`` past it (延期一般不超过1年)."""
    if approved_on < term_start:
        raise ValidationError(_("An extension cannot be approved before the term began."))
    end = add_years(term_start, term_years)
    if extended_until <= end:
        raise ValidationError(
            _("An extension runs past the term's end (%(end)s).") % {"end": end.isoformat()}
        )
    years = term_queries.max_extension_years(federation, approved_on)
    latest = add_years(end, years)
    if extended_until > latest:
        raise ValidationError(
            _(
                "A term may be extended at most %(years)s year(s) past its end (%(end)s): "
                "until %(latest)s at the latest."
            )
            % {"years": years, "end": end.isoformat(), "latest": latest.isoformat()}
        )


def _check_extension(extension: TermExtension) -> None:
    election = extension.election
    if not extension.approved_by.strip():
        raise ValidationError(_("Name the body that approved the extension."))
    if not election.starts_term:
        raise ValidationError(_("A by-election starts no term; only a term can be extended."))
    check_extension_dates(
        term_start=election.held_on,
        term_years=election.term_years or 0,
        approved_on=extension.approved_on,
        extended_until=extension.extended_until,
        federation=election.party_organization.federation,
    )


@transaction.atomic
def approve_term_extension(
    party_org: PartyOrganization,
    *,
    approved_on: datetime.date,
    approved_by: str,
    extended_until: datetime.date,
    document_no: str = "",
    actor,
    note="",
) -> TermExtension:
    """The higher party organization ``approved_by`` approved on ``approved_on`` that the term
    of ``party_org`` in force that day runs until ``extended_until`` (延期换届). Refused past
    the rulebook's limit (一般不超过1年) or when no elected term is on record."""
    if approved_on is None or extended_until is None:
        raise ValidationError(_("The approval date and the new end of the term are required."))
    term = term_queries.term_in_force(party_org, approved_on)
    if term is None or term.election_id is None:
        raise ValidationError(
            _("No elected term of this party organization is on record on %(day)s.")
            % {"day": approved_on.isoformat()}
        )
    extension = TermExtension(
        election=Election.objects.select_related("party_organization").get(pk=term.election_id),
        approved_on=approved_on,
        approved_by=(approved_by or "").strip(),
        document_no=document_no or "",
        extended_until=extended_until,
    )
    _check_extension(extension)
    extension.save()
    keep_term_deadlines([party_org.pk])
    record_change(actor, extension, None, note=note)
    record_event(
        actor,
        AuditEvent.PARTY_TERM_EXTENDED,
        party_org,
        note=note,
        approved_on=str(approved_on),
        extended_until=str(extended_until),
    )
    return extension


@transaction.atomic
def update_term_extension(
    extension: TermExtension, values: dict, *, actor, note=""
) -> TermExtension:
    """Correct an approved extension (the same limits as approving it)."""
    _refuse_unknown(values, EXTENSION_FIELDS)
    stored = TermExtension.objects.select_related("election__party_organization").get(
        pk=extension.pk
    )
    corrected = copy.copy(stored)
    for field, value in values.items():
        setattr(corrected, field, value)
    _check_extension(corrected)
    updated = update_fact(
        stored, {f: getattr(corrected, f) for f in EXTENSION_FIELDS}, actor=actor, note=note
    )
    keep_term_deadlines([stored.election.party_organization_id])
    return updated


@transaction.atomic
def remove_term_extension(extension: TermExtension, *, actor, note="") -> None:
    party_org_id = (
        Election.objects.filter(pk=extension.election_id)
        .values_list("party_organization_id", flat=True)
        .get()
    )
    delete_fact(extension, actor=actor, note=note)
    keep_term_deadlines([party_org_id])


# -- the kept deadline (PartyOrganization.term_deadline) -----------------------------------------


def keep_term_deadlines(party_org_ids: Iterable[int] | None = None) -> int:
    """Set ``PartyOrganization.term_deadline`` of these party organizations (every one when
    None: the consistency rebuild, ``dangjian term_deadlines``) from their elections and
    extensions, as recorded; returns how many changed. Called by every writer of elections
    and extensions above; the synthetic generator, which writes them raw, calls it after."""
    return term_deadlines_from_records(
        PartyOrganization,
        Election,
        TermExtension,
        party_org_ids,
        default_years=lambda org, held_on: term_queries.default_term_years(
            org.kind, org.federation, held_on
        ),
    )


def term_deadlines_from_records(
    org_model,
    election_model,
    extension_model,
    party_org_ids: Iterable[int] | None,
    *,
    default_years: Callable[..., int],
) -> int:
    """The rebuild itself, on the models given (the migration that adds the column passes its
    historical ones). The latest term recorded is the last founding or general election (two
    on one day: the one recorded last, as ``term_queries.terms_in_force``); its deadline is its
    latest approved extension's end, else its day plus its length (``default_years`` only for
    a term election without one, which the services never write)."""
    if party_org_ids is None:
        ids = list(org_model.objects.order_by("pk").values_list("pk", flat=True))
    else:
        ids = sorted(set(party_org_ids))
    changed = 0
    for i in range(0, len(ids), IDS_PER_QUERY):
        chunk = ids[i : i + IDS_PER_QUERY]
        latest: dict[int, tuple[int, datetime.date, int | None]] = {}
        for org_id, pk, held_on, years in (
            election_model.objects.filter(
                party_organization_id__in=chunk, kind__in=("founding", "general")
            )
            .order_by("party_organization_id", "held_on", "pk")
            .values_list("party_organization_id", "pk", "held_on", "term_years")
        ):
            latest[org_id] = (pk, held_on, years)
        extended: dict[int, datetime.date] = {}
        for election_id, until in extension_model.objects.filter(
            election_id__in=[pk for pk, _day, _years in latest.values()]
        ).values_list("election_id", "extended_until"):
            if election_id not in extended or until > extended[election_id]:
                extended[election_id] = until
        stale = []
        for org in org_model.objects.filter(pk__in=chunk).only(
            "pk", "kind", "federation_id", "term_deadline"
        ):
            deadline = None
            if org.pk in latest:
                pk, held_on, years = latest[org.pk]
                deadline = extended.get(pk) or add_years(
                    held_on, years or default_years(org, held_on)
                )
            if org.term_deadline != deadline:
                org.term_deadline = deadline
                stale.append(org)
        bulk.update_objects(stale, ["term_deadline"])
        changed += len(stale)
    return changed
