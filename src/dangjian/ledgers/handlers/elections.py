"""The election ledger (换届选举台账): each row one election of a party organization, keyed by
the organization and the day, with the extension of its term the higher organization approved.
Written through party.services (record_election, approve_term_extension and their
corrections), the same services the pages and the meeting records use.

The whole file is one chunk: a term's extension is checked against the organization's other
elections, in the file and stored (an extension approved after the next election would
extend the wrong term).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dangjian.ledgers.engine import CHANGED, NEW, UNCHANGED
from dangjian.ledgers.handlers.base import Handler, show
from dangjian.party import services as party_services
from dangjian.party import term_queries
from dangjian.party.models import Election, PartyOrganization
from dangjian.party.services.terms import (
    check_election_day,
    check_extension_dates,
    check_term_years,
)

EXTENSION_KEYS = ("ext_approved_on", "ext_approved_by", "ext_until")


def _message(exc: ValidationError) -> str:
    return "；".join(str(m) for m in exc.messages)


class ElectionHandler(Handler):
    ledger = "elections"
    chunk_size = 100_000

    def load(self, ctx, present):
        super().load(ctx, present)
        self.load_party_orgs(ctx)
        self.orgs: dict[int, PartyOrganization] = {
            p.pk: p for p in self.party_orgs(ctx).select_related("federation")
        }
        self.stored: dict[tuple[int, datetime.date], Election] = {}
        for election in Election.objects.filter(
            party_organization__in=list(self.orgs)
        ).prefetch_related("extensions"):
            self.stored[(election.party_organization_id, election.held_on)] = election

    # -- one row ------------------------------------------------------------------------------
    def check(self, ctx, row):
        rec, errors = row.record, row.errors
        po = self.party_org_for(row, "party_org")
        held = rec.get("held_on")
        row.key = (po, held)
        row.label = " ".join(x for x in (rec.get("party_org", ""), show(None, held)) if x)
        if po is None or held is None:
            return
        self.duplicate(row, row.key, "held_on")
        org = self.orgs[po]
        if held > ctx.today:
            errors["held_on"] = _("This date is in the future.")
        try:
            check_election_day(org, held)
        except ValidationError as exc:
            errors["held_on"] = _message(exc)
        if rec.get("term_years") is not None:
            try:
                check_term_years(rec["term_years"])
            except ValidationError as exc:
                errors["term_years"] = _message(exc)
        given = [k for k in EXTENSION_KEYS if rec.get(k)]
        if given:
            for key in EXTENSION_KEYS:
                if key not in given:
                    errors[key] = _(
                        "Fill in the approval date, the approving body and the new end."
                    )
            if rec.get("ext_approved_on") and rec["ext_approved_on"] > ctx.today:
                errors["ext_approved_on"] = _("This date is in the future.")
        rec["_extension"] = len(given) == len(EXTENSION_KEYS)

    # -- against the file and the database -----------------------------------------------------
    def _kind(self, row) -> str:
        rec = row.record
        stored = self.stored.get(row.key)
        if rec.get("kind"):
            return rec["kind"]
        if stored is not None:
            return stored.kind
        po, held = row.key
        founding = held == self.orgs[po].valid_from
        return Election.Kind.FOUNDING if founding else Election.Kind.GENERAL

    def _years(self, row, kind: str) -> int | None:
        if kind == Election.Kind.BY_ELECTION:
            return None
        stored = self.stored.get(row.key)
        org = self.orgs[row.key[0]]
        return (
            row.record.get("term_years")
            or (stored.term_years if stored is not None else None)
            or term_queries.default_term_years(org.kind, org.federation, row.key[1])
        )

    def classify(self, ctx, rows):
        # Every term-starting election of each organization: stored, and as this file sets it.
        terms: dict[int, dict[datetime.date, str]] = {}
        for (po, held), election in self.stored.items():
            terms.setdefault(po, {})[held] = election.kind
        for row in rows:
            row.record["_kind"] = self._kind(row)
            terms.setdefault(row.key[0], {})[row.key[1]] = row.record["_kind"]
        for row in rows:
            self._classify_one(ctx, row, terms[row.key[0]])

    def _classify_one(self, ctx, row, org_terms: dict[datetime.date, str]) -> None:
        rec, errors = row.record, row.errors
        po, held = row.key
        org = self.orgs[po]
        kind = rec["_kind"]
        years = self._years(row, kind)
        rec["_years"] = years
        starts_term = kind in Election.TERM_KINDS
        earlier = [d for d, k in org_terms.items() if d < held and k in Election.TERM_KINDS]
        if kind == Election.Kind.FOUNDING and earlier:
            errors["kind"] = _(
                "A founding election comes first; this party organization held one before."
            )
        if rec["_extension"]:
            if not starts_term:
                errors["ext_until"] = _(
                    "A by-election starts no term; only a term can be extended."
                )
            else:
                try:
                    check_extension_dates(
                        term_start=held,
                        term_years=years or 0,
                        approved_on=rec["ext_approved_on"],
                        extended_until=rec["ext_until"],
                        federation=org.federation,
                    )
                except ValidationError as exc:
                    errors["ext_until"] = _message(exc)
                later = sorted(
                    d
                    for d, k in org_terms.items()
                    if held < d <= rec["ext_approved_on"] and k in Election.TERM_KINDS
                )
                if later:
                    errors["ext_approved_on"] = _(
                        "The next term began on %(day)s; an extension of this term is approved "
                        "before it."
                    ) % {"day": later[0].isoformat()}
        if errors:
            return
        stored = self.stored.get(row.key)
        values = {"kind": kind, "term_years": years}
        if "document_no" in self.present:
            values["document_no"] = rec.get("document_no", "")
        rec["_values"] = values
        extension = self._extension_values(rec) if rec["_extension"] else None
        rec["_extension_values"] = extension
        if stored is None:
            row.status = NEW
            row.changes = {
                self.columns["kind"].header: ["", show(self.columns["kind"], kind)],
            }
            if years:
                row.changes[self.columns["term_years"].header] = ["", str(years)]
            if extension:
                row.changes[self.columns["ext_until"].header] = ["", show(None, rec["ext_until"])]
            return
        rec["_obj"] = stored
        self.compare(row, stored, values, {})
        if extension:
            latest = self._latest_extension(stored)
            rec["_extension_obj"] = latest
            if latest is None:
                row.changes[self.columns["ext_until"].header] = ["", show(None, rec["ext_until"])]
            else:
                labels = {
                    "approved_on": "ext_approved_on",
                    "approved_by": "ext_approved_by",
                    "document_no": "ext_document_no",
                    "extended_until": "ext_until",
                }
                self.compare(row, latest, extension, labels)
        row.status = CHANGED if row.changes else UNCHANGED

    @staticmethod
    def _extension_values(rec) -> dict:
        return {
            "approved_on": rec["ext_approved_on"],
            "approved_by": rec["ext_approved_by"],
            "document_no": rec.get("ext_document_no", ""),
            "extended_until": rec["ext_until"],
        }

    @staticmethod
    def _latest_extension(election: Election):
        found = sorted(election.extensions.all(), key=lambda x: (x.approved_on, x.pk))
        return found[-1] if found else None

    # -- writing ------------------------------------------------------------------------------
    def apply(self, ctx, rows):
        """Elections first, in date order (a founding election before the general ones), then
        the extensions (each extends the term in force on its approval day)."""
        actor, note = ctx.user, self.note
        for row in sorted(rows, key=lambda r: (r.key[0], r.key[1])):
            rec, (po, held) = row.record, row.key
            values = rec["_values"]
            if row.status == NEW:
                self.stored[row.key] = party_services.record_election(
                    self.orgs[po],
                    held_on=held,
                    kind=values["kind"],
                    term_years=values["term_years"],
                    document_no=values.get("document_no", ""),
                    actor=actor,
                    note=note,
                )
            elif any(getattr(rec["_obj"], f) != v for f, v in values.items()):
                party_services.update_election(rec["_obj"], values, actor=actor, note=note)
        for row in rows:
            extension = row.record.get("_extension_values")
            if not extension:
                continue
            existing = row.record.get("_extension_obj")
            if existing is None:
                party_services.approve_term_extension(
                    self.orgs[row.key[0]], actor=actor, note=note, **extension
                )
            else:
                party_services.update_term_extension(existing, extension, actor=actor, note=note)

    def display(self, fieldname, column, value):
        if fieldname == "kind":
            return show(self.columns["kind"], value)
        return super().display(fieldname, column, value)
