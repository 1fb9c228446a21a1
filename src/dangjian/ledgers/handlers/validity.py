"""Ledgers of facts with validity periods: memberships, party organizations (with their
coverage), positions, instructors and meetings. Hundreds or thousands of rows: plain ORM writes.
"""

from __future__ import annotations

import re

from django.db import models
from django.utils.translation import gettext as _

from dangjian.core import crypto
from dangjian.ledgers import cells
from dangjian.ledgers.engine import CHANGED, NEW, UNCHANGED
from dangjian.ledgers.handlers import coverage
from dangjian.ledgers.handlers.base import KeyedHandler, name_key, show
from dangjian.orglife import services as orglife_services
from dangjian.orglife.minutes import clean_minutes
from dangjian.orglife.models import Meeting
from dangjian.orglife.services import pairs as kept_pairs
from dangjian.party import bulk as party_bulk
from dangjian.party import services as party_services
from dangjian.party.models import (
    Coverage,
    Instructor,
    InstructorAssignment,
    PartyMember,
    PartyOrganization,
    Position,
)
from dangjian.registry import services as registry_services
from dangjian.registry.models import Membership


class ValidityHandler(KeyedHandler):
    """A ledger of facts with validity periods, keyed within the federation (the upsert is
    ``KeyedHandler``'s); a row closes its fact with its end date, never deletes it."""

    model: type[models.Model] | None = None  # the fact's model; each subclass names its own
    closes_with = "valid_to"


class MembershipHandler(ValidityHandler):
    ledger = "memberships"
    model = Membership

    def load(self, ctx, present):
        super().load(ctx, present)
        self.load_units(ctx)

    def check(self, ctx, row):
        rec = row.record
        org = self.unit_for(row, "uscc", None)
        row.key = org
        if org:
            self.duplicate(row, org, "uscc")
            self.after_founding(row, "valid_from", self.unit_founded.get(org))
        if rec.get("valid_to") and rec.get("valid_from") and rec["valid_to"] < rec["valid_from"]:
            row.errors["valid_to"] = _("The end date must not be earlier than the start date.")
        row.label = rec.get("name") or rec.get("uscc", "")

    def existing(self, ctx):
        found = {}
        for m in Membership.objects.filter(federation=ctx.federation).order_by("valid_from"):
            found[m.organization_id] = m  # the latest membership of each unit
        return found

    def values(self, ctx, row):
        rec = row.record
        return {
            "role": rec["role"],
            "valid_from": rec["valid_from"],
            "valid_to": rec.get("valid_to"),
            "note": rec.get("note", ""),
        }

    def fixed(self, ctx, row):
        return {"organization_id": row.key}

    def create(self, ctx, rows):
        return registry_services.admit_units_bulk(
            ctx.federation, rows, actor=ctx.user, note=self.note
        )

    def update(self, ctx, changes):
        registry_services.update_memberships_bulk(changes, actor=ctx.user, note=self.note)


class PartyOrgHandler(ValidityHandler):
    ledger = "party_organizations"
    model = PartyOrganization
    chunk_size = 100_000  # parents may come later in the file: one chunk

    def load(self, ctx, present):
        super().load(ctx, present)
        self.load_units(ctx)
        self.load_party_orgs(ctx)
        self.file_names = set()

    def check(self, ctx, row):
        rec = row.record
        row.key = name_key(rec.get("name", ""))
        self.duplicate(row, row.key, "name")
        self.file_names.add(row.key)
        if rec.get("valid_to") and rec.get("valid_from") and rec["valid_to"] < rec["valid_from"]:
            row.errors["valid_to"] = _("The end date must not be earlier than the start date.")
        codes = []
        for part in _split_codes(rec.get("covered_uscc", "")):
            try:
                code = cells.uscc(part)
            except cells.CellError as exc:
                row.errors["covered_uscc"] = f"{part}: {exc}"
                break
            if code not in self.unit_by_uscc:
                row.errors["covered_uscc"] = _(
                    "No member unit of this federation within your scope has the credit code "
                    "%(uscc)s; import the unit first (member unit ledger) or check the code."
                ) % {"uscc": code}
                break
            codes.append(code)
        rec["_codes"] = codes
        row.label = rec.get("name", "")

    def classify(self, ctx, rows):
        for row in rows:  # parents named in the file must exist in the file or the database
            parent = row.record.get("parent")
            if parent and name_key(parent) not in self.file_names:
                self.party_org_for(row, "parent")
        rows[:] = [r for r in rows if not r.errors]
        super().classify(ctx, rows)
        stored: dict[int, list[Coverage]] = {}
        objs = [r.record["_obj"].pk for r in rows if r.record.get("_obj") is not None]
        for cover in Coverage.objects.filter(party_organization__in=objs).order_by("pk"):
            stored.setdefault(cover.party_organization_id, []).append(cover)
        for row in rows:
            self._plan_coverage(ctx, row, stored)

    def _plan_coverage(self, ctx, row, stored) -> None:
        """The row's coverage plan (``handlers.coverage``), shown in the preview and carried
        out by ``apply``. Without the coverage column only a dissolution ends the coverage."""
        rec, obj = row.record, row.record.get("_obj")
        if "covered_uscc" in self.present:
            wanted = {self.unit_by_uscc[c] for c in rec["_codes"]}
        elif rec.get("valid_to") and obj is not None:
            wanted = set()
        else:
            return
        plan = coverage.plan(
            stored.get(obj.pk, []) if obj is not None else [],
            wanted,
            founded=rec["valid_from"],
            dissolved=rec.get("valid_to"),
            today=ctx.today,
            new=obj is None,
        )
        rec["_cover"] = plan
        if plan.changes_anything and "covered_uscc" in self.present:
            row.changes[self.columns["covered_uscc"].header] = [
                coverage.describe(plan.before, self.unit_names),
                coverage.describe(plan.after, self.unit_names),
            ]
        if plan.changes_anything and row.status == UNCHANGED:
            row.status = CHANGED

    def existing(self, ctx):
        return {
            name_key(p.name): p
            for p in PartyOrganization.objects.filter(federation=ctx.federation).order_by("pk")
        }

    sources = {"parent_id": "parent"}

    def values(self, ctx, row):
        rec = row.record
        values = {
            "name": rec["name"],
            "kind": rec["kind"],
            "valid_from": rec["valid_from"],
            "valid_to": rec.get("valid_to"),
            "status": PartyOrganization.Status.DISSOLVED
            if rec.get("valid_to")
            else PartyOrganization.Status.ACTIVE,
        }
        for f in ("formation_mode", "approval_doc_no", "approval_date"):
            if f in self.present:
                values[f] = (
                    rec.get(f)
                    if rec.get(f) is not None
                    else ("" if f in ("formation_mode", "approval_doc_no") else None)
                )
        if "parent" in self.present:
            parent = rec.get("parent")
            values["parent_id"] = self._parent_id(parent) if parent else None
        return values

    def _parent_id(self, name):
        key = name_key(name)
        obj = getattr(self, "_existing", {}).get(key)
        if obj is not None:
            return obj.pk
        return self.party_org_by_name.get(key)

    def apply(self, ctx, rows):
        # Parents first, so children named after them find their ids.
        pending = list(rows)
        ordered, names = [], {r.key for r in rows}
        while pending:
            progress = False
            for row in list(pending):
                parent = row.record.get("parent")
                if (
                    not parent
                    or name_key(parent) not in names
                    or name_key(parent) in {o.key for o in ordered}
                ):
                    ordered.append(row)
                    pending.remove(row)
                    progress = True
            if not progress:
                ordered.extend(pending)
                break
        # One at a time (they are few): a child's parent may be formed just before it.
        for row in ordered:
            values = row.record["_values"]
            if "parent" in self.present and row.record.get("parent"):
                values["parent_id"] = self._parent_id(row.record["parent"])
            if row.status == NEW:
                [obj] = party_bulk.form_party_organizations_bulk(
                    ctx.federation, [values], actor=ctx.user, note=self.note
                )
                self._existing[row.key] = obj
            else:
                obj = row.record["_obj"]
                party_bulk.update_party_organizations_bulk(
                    [(obj, values)], actor=ctx.user, note=self.note
                )
            self.after_save(ctx, row, obj)

    def after_save(self, ctx, row, obj):
        plan = row.record.get("_cover")
        if plan is None:
            return
        party_bulk.end_coverages_bulk(plan.end, actor=ctx.user, note=self.note)
        kind = row.record.get("coverage_kind") or Coverage.Kind.OWN
        party_bulk.add_coverages_bulk(
            [
                {
                    "party_organization_id": obj.pk,
                    "organization_id": unit,
                    "kind": kind,
                    "valid_from": start,
                    "valid_to": end,
                }
                for unit, start, end in plan.add
            ],
            actor=ctx.user,
            note=self.note,
        )


def _split_codes(value: str) -> list[str]:
    return [p for p in re.split(r"[、,，;；\s]+", value or "") if p]


class PositionHandler(ValidityHandler):
    ledger = "positions"
    model = Position

    def load(self, ctx, present):
        super().load(ctx, present)
        self.load_party_orgs(ctx)

    def check(self, ctx, row):
        rec = row.record
        party_org = self.party_org_for(row, "party_org")
        member = None
        if rec.get("id_number"):
            member = (
                PartyMember.objects.filter(id_number_hash=crypto.blind_index(rec["id_number"]))
                .values_list("pk", flat=True)
                .first()
            )
            if member is None:
                row.errors["id_number"] = _(
                    "No party member with this ID number is in the ledger; import them in the "
                    "party member ledger first."
                )
        row.key = (party_org, member, rec.get("role"), rec.get("valid_from"))
        if party_org and member:
            self.duplicate(row, row.key, "role")
        rec["_party_org"], rec["_member"] = party_org, member
        if rec.get("valid_to") and rec.get("valid_from") and rec["valid_to"] < rec["valid_from"]:
            row.errors["valid_to"] = _("The end date must not be earlier than the start date.")
        row.label = rec.get("name") or ""

    def existing(self, ctx):
        return {
            (p.party_organization_id, p.member_id, p.role, p.valid_from): p
            for p in Position.objects.filter(party_organization__in=self.party_orgs(ctx))
        }

    def values(self, ctx, row):
        return {"valid_to": row.record.get("valid_to")}

    def fixed(self, ctx, row):
        rec = row.record
        return {
            "party_organization_id": rec["_party_org"],
            "member_id": rec["_member"],
            "role": rec["role"],
            "valid_from": rec["valid_from"],
        }

    def create(self, ctx, rows):
        return party_bulk.appoint_positions_bulk(rows, actor=ctx.user, note=self.note)

    def update(self, ctx, changes):
        party_bulk.update_positions_bulk(changes, actor=ctx.user, note=self.note)


class InstructorHandler(ValidityHandler):
    ledger = "instructors"
    model = InstructorAssignment

    def load(self, ctx, present):
        super().load(ctx, present)
        self.load_units(ctx)
        self.instructors = {}
        orgs = self.units(ctx).values("pk")
        for assignment in InstructorAssignment.objects.filter(organization__in=orgs).select_related(
            "instructor"
        ):
            i = assignment.instructor
            self.instructors[(name_key(i.name), i.dispatched_by)] = i

    def check(self, ctx, row):
        rec = row.record
        rec["name"] = cells.compact(rec.get("name", ""))
        org = self.unit_for(row, "uscc", "org_name")
        rec["_org"] = org
        row.key = (rec["name"], rec.get("dispatched_by"), org, rec.get("valid_from"))
        if org:
            self.duplicate(row, row.key, "valid_from")
            self.after_founding(row, "valid_from", self.unit_founded.get(org))
        if rec.get("valid_to") and rec.get("valid_from") and rec["valid_to"] < rec["valid_from"]:
            row.errors["valid_to"] = _("The end date must not be earlier than the start date.")
        row.label = rec["name"]

    def existing(self, ctx):
        return {
            (
                name_key(a.instructor.name),
                a.instructor.dispatched_by,
                a.organization_id,
                a.valid_from,
            ): a
            for a in InstructorAssignment.objects.filter(
                organization__in=self.units(ctx).values("pk")
            ).select_related("instructor")
        }

    sources = {}

    def values(self, ctx, row):
        rec = row.record
        return {
            "valid_to": rec.get("valid_to"),
            "notice_no": rec.get("notice_no", ""),
            "notice_date": rec.get("notice_date"),
        }

    def fixed(self, ctx, row):
        rec = row.record
        key = (rec["name"], rec["dispatched_by"])
        instructor = self.instructors.get(key)
        if instructor is None:
            instructor = party_services.appoint_instructor(
                {
                    "name": rec["name"],
                    "kind": rec.get("kind") or Instructor.Kind.INSTRUCTOR,
                    "phone": rec.get("phone", ""),
                    "dispatched_by": rec["dispatched_by"],
                    "notice_no": rec.get("notice_no", ""),
                    "notice_date": rec.get("notice_date"),
                    "valid_from": rec["valid_from"],
                },
                actor=ctx.user,
                note=self.note,
            )
            self.instructors[key] = instructor
        return {
            "instructor": instructor,
            "organization_id": rec["_org"],
            "valid_from": rec["valid_from"],
        }

    def create(self, ctx, rows):
        return party_bulk.assign_instructors_bulk(rows, actor=ctx.user, note=self.note)

    def update(self, ctx, changes):
        party_bulk.update_instructor_assignments_bulk(changes, actor=ctx.user, note=self.note)


class MeetingHandler(ValidityHandler):
    ledger = "meetings"
    model = Meeting

    def load(self, ctx, present):
        super().load(ctx, present)
        self.load_party_orgs(ctx)

    def writing(self, ctx):
        # The pairs of alike minutes kept once, at the end of the import (``pairs.at_end``):
        # its lock is then held for that step, not from the first chunk to the commit.
        return kept_pairs.at_end()

    def check(self, ctx, row):
        rec = row.record
        party_org = self.party_org_for(row, "party_org")
        rec["_party_org"] = party_org
        row.key = (party_org, rec.get("kind"), rec.get("held_on"), rec.get("topic", ""))
        if party_org:
            self.duplicate(row, row.key, "held_on")
        e, p = rec.get("expected_count"), rec.get("present_count")
        if e is not None and p is not None and p > e:
            row.errors["present_count"] = _("More people present than expected.")
        ve, vp = rec.get("voters_expected"), rec.get("voters_present")
        if ve is not None and vp is not None and vp > ve:
            row.errors["voters_present"] = _("More members with a vote present than expected.")
        row.label = rec.get("topic") or show(self.columns["kind"], rec.get("kind"))

    def existing_for(self, ctx, rows):
        # The stored meetings of this chunk's branches and days alone: a federation's meetings
        # read whole did not fit in memory (7.8 million instances with their minutes, 12 GB
        # and counting, at 100,000 units). The meetings written by earlier chunks are read
        # back the same way.
        keys = {row.key for row in rows}
        stored = Meeting.objects.filter(
            party_organization__in=self.party_orgs(ctx),
            party_organization_id__in=sorted({key[0] for key in keys}),
            held_on__in=sorted({key[2] for key in keys}),
        )
        return {
            key: m
            for m in stored
            if (key := (m.party_organization_id, m.kind, m.held_on, m.topic)) in keys
        }

    def values(self, ctx, row):
        rec = row.record
        values = {}
        for f in ("expected_count", "present_count", "voters_expected", "voters_present"):
            if f in self.present:
                values[f] = rec.get(f)
        if "minutes" in self.present:
            # Stored as the pages store them (orglife.minutes), so a re-import compares equal.
            values["minutes"] = clean_minutes(rec.get("minutes", ""))
        return values

    def fixed(self, ctx, row):
        rec = row.record
        return {
            "party_organization_id": rec["_party_org"],
            "kind": rec["kind"],
            "held_on": rec["held_on"],
            "topic": rec.get("topic", ""),
        }

    def create(self, ctx, rows):
        return orglife_services.record_meetings_bulk(rows, actor=ctx.user, note=self.note)

    def update(self, ctx, changes):
        orglife_services.update_meetings_bulk(changes, actor=ctx.user, note=self.note)
