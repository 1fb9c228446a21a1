"""The party member ledger: the big one, read with plain queries and written on the bulk path.

A re-import of 100,000 unchanged members must not build 100,000 model instances, so the
stored rows are read with ``_select_in`` and new rows go through ``core.bulk``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext as _

from dangjian.access import scope
from dangjian.access.models import Action
from dangjian.core import audit_bulk, bulk, crypto
from dangjian.core.sql import as_date
from dangjian.ledgers import cells
from dangjian.ledgers.engine import CHANGED, NEW, UNCHANGED
from dangjian.ledgers.handlers.base import (
    ONE_DAY,
    Handler,
    Stored,
    _select_in,
    _typed,
    name_key,
    show,
)
from dangjian.party import bulk as party_bulk
from dangjian.party import services as party_services
from dangjian.party.models import Employment, PartyMember, PartyOrganization, RelationPeriod

_MEMBER_TYPES = {
    "birth_date": as_date,
    "joined_party_on": as_date,
    "full_member_on": as_date,
    "left_on": as_date,
    "is_flowing": bool,
    "is_lost_contact": bool,
}


MEMBER_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "phone",
    "education",
    "joined_party_on",
    "full_member_on",
    "is_flowing",
    "is_lost_contact",
    "left_on",
)
# The columns of a new member as the import inserts them (``MemberHandler.apply``).
NEW_MEMBER_COLUMNS = [
    "id",
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number",
    "id_number_hash",
    "id_suffix_hash",
    "phone",
    "education",
    "joined_party_on",
    "full_member_on",
    "relation_party_organization",
    "relation_external",
    "is_flowing",
    "is_lost_contact",
    "left_on",
    "created_at",
    "updated_at",
]
_NOT_AUDITED = {
    "id",
    "id_number_hash",
    "id_suffix_hash",
    "created_at",
    "updated_at",
}  # as core.audit.SKIPPED
_AUDITED = [(i, c) for i, c in enumerate(NEW_MEMBER_COLUMNS) if c not in _NOT_AUDITED]


def _created(member_rows: list[tuple], job_rows: list[tuple]) -> audit_bulk.Creations:
    """Each new member for the trail, with its first employment, column by column (the
    inserted columns by field name; no dict per member)."""
    if not member_rows:
        return audit_bulk.Creations([], [], {})
    columns = list(zip(*member_rows, strict=True))
    fields: dict[str, Any] = {column: columns[i] for i, column in _AUDITED}
    jobs = {job[0]: job for job in job_rows}
    days: dict[Any, str] = {}  # a date as text, once per distinct day (most share one)

    def day(value):
        try:
            return days[value]
        except KeyError:
            text = days[value] = str(value)
            return text

    employments = []
    for pk in columns[0]:
        job = jobs.get(pk)
        employments.append(
            audit_bulk.ABSENT
            if job is None
            else {
                "organization": job[1],
                "job_title": job[2],
                "valid_from": day(job[3]),
                "valid_to": day(job[4]) if job[4] else None,
            }
        )
    fields["employment"] = employments
    return audit_bulk.Creations(columns[0], columns[1], fields)


# The current 组织关系 as stored on the member (compared with the relation column; a change is
# recorded as a dated move through party.services, never written as a field).
RELATION_FIELDS = ("relation_party_organization_id", "relation_external")
MEMBER_SOURCES: dict[str, str] = {}


class MemberHandler(Handler):
    ledger = "members"
    chunk_size = 5000

    def load(self, ctx, present) -> None:
        super().load(ctx, present)
        self.load_units(ctx)
        self.load_party_orgs(ctx)
        self.managed = [
            f for f in MEMBER_FIELDS if MEMBER_SOURCES.get(f, f) in present or f == "name"
        ]
        # Derived from the ID number when the column is absent or blank.
        for derived in ("gender", "birth_date"):
            if derived not in self.managed:
                self.managed.append(derived)
        self.relations: dict[str, int | None] = {}  # relation text → party organization or None
        # party organization → (founded, dissolved): a relation is held while it exists.
        self.party_org_days = {
            pk: (start, end)
            for pk, start, end in self.party_orgs(ctx).values_list("pk", "valid_from", "valid_to")
        }
        self.births: dict[str, datetime.date] = {}  # digits 7–14 → date (valid: validated)

    def prepare(self, ctx, rows):
        numbered = [r.record for r in rows if r.record.get("id_number")]
        numbers = [rec["id_number"] for rec in numbered]
        hashes = crypto.blind_index_many(numbers)
        suffixes = crypto.suffix_index_many(numbers)
        for rec, digest, suffix in zip(numbered, hashes, suffixes, strict=True):
            rec["hash"] = digest
            rec["suffix"] = suffix

    def check(self, ctx, row):
        rec, errors = row.record, row.errors
        get = rec.get
        number = get("id_number")
        rec["name"] = cells.compact(get("name", ""))
        if number:
            self.duplicate(row, rec["hash"], "id_number")
            gender = "female" if number[16] in "02468" else "male"
            if get("gender") and rec["gender"] != gender:
                errors["gender"] = _("The gender does not match the ID number.")
            rec["gender"] = gender
            digits = number[6:14]
            birth = self.births.get(digits)
            if birth is None:
                birth = self.births[digits] = datetime.date(
                    int(digits[:4]), int(digits[4:6]), int(digits[6:])
                )
            given = get("birth_date")
            if given and given != birth:
                errors["birth_date"] = _(
                    "The birth date does not match the ID number (%(birth)s)."
                ) % {"birth": birth.isoformat()}
            rec["birth_date"] = birth
        rec["ethnicity"] = cells.compact(get("ethnicity", "")) or "汉族"
        joined, full = get("joined_party_on"), get("full_member_on")
        if joined:
            if full and full < joined:
                errors["full_member_on"] = _(
                    "Full membership cannot come before joining the party."
                )
            birth = get("birth_date")
            if birth and (joined.year, joined.month, joined.day) < (
                birth.year + 18,
                birth.month,
                birth.day,
            ):
                errors["joined_party_on"] = _("The member would have joined the party before 18.")
        if get("employer_uscc") or get("employer_name"):
            rec["employer_id"] = self.unit_for(row, "employer_uscc", "employer_name")
            self.after_founding(row, "employed_from", self.unit_founded.get(rec["employer_id"]))
        relation = get("relation", "")
        rec["relation_party_organization_id"] = None
        rec["relation_external"] = ""
        if relation:
            try:
                pk = self.relations[relation]
            except KeyError:
                pk = self.relations[relation] = self.party_org_by_name.get(name_key(relation))
            if pk:
                rec["relation_party_organization_id"] = pk
            else:
                rec["relation_external"] = relation[:200]
        since = get("relation_since")
        if since:
            if since > ctx.today:
                errors["relation_since"] = _("This date is in the future.")
            elif joined and since < joined:
                errors["relation_since"] = _(
                    "The relation cannot be held before joining the party."
                )
            elif rec["relation_party_organization_id"]:
                start, end = self.party_org_days[rec["relation_party_organization_id"]]
                if since < start:
                    errors["relation_since"] = _(
                        "That party organization was established on %(day)s, after this date."
                    ) % {"day": start.isoformat()}
                elif end is not None and since > end:
                    errors["relation_since"] = _(
                        "That party organization no longer exists on that date."
                    )
            elif not relation:
                errors["relation_since"] = _("Fill in where the relation is held from this date.")
        rec.setdefault("is_flowing", False)
        rec.setdefault("is_lost_contact", False)
        row.label = rec["name"]

    def classify(self, ctx, rows):
        existing = self.existing([r.record["hash"] for r in rows])
        if ctx.user is not None and existing:
            visible = set(
                scope.members(ctx.user, Action.EDIT)
                .filter(id_number_hash__in=list(existing))
                .values_list("id_number_hash", flat=True)
            )
            outside = set(existing) - visible
        else:
            outside = set()
        jobs = self.open_jobs([m.pk for m in existing.values()])
        periods = (
            self.open_relations([m.pk for m in existing.values()])
            if "relation" in self.present
            else {}
        )
        for row in rows:
            rec = row.record
            member = existing.get(rec["hash"])
            row.key = member
            if rec["hash"] in outside:
                row.errors["id_number"] = _(
                    "This ID number belongs to a party member outside your scope; ask the "
                    "federation holding the record to transfer them."
                )
                continue
            if member is None:
                self.unmask(row, rec, "phone", "")
                if row.errors:
                    continue
                if not rec.get("employer_id") and not rec["relation_party_organization_id"]:
                    row.errors["employer_uscc"] = _(
                        "Fill in the member's employer (its credit code or full name), a member "
                        "unit of this federation."
                    )
                    continue
                row.status = NEW
                row.changes = {self.columns["employer_name"].header: ["", self._unit_name(rec)]}
                continue
            values = {f: rec.get(f, getattr(member, f)) for f in self.managed}
            if "left_on" not in self.present:
                values.pop("left_on", None)
            self.unmask(row, values, "phone", member.phone or "")
            if row.errors:
                continue
            self.compare(row, member, values, MEMBER_SOURCES)
            rec["_values"] = values
            rec["_job"] = self._job_plan(ctx, row, jobs.get(member.pk))
            if "relation" in self.present:
                rec["_relation"] = self._relation_plan(ctx, row, member, periods.get(member.pk))
            row.status = CHANGED if row.changes else UNCHANGED

    def existing(self, hashes: list[str]) -> dict[str, Stored]:
        """What is stored of the members with these blind indexes, read with plain queries.

        No model instance is built (a re-import of 100,000 unchanged members would spend most
        of its time in the ORM); ``apply`` loads real instances for the few rows that change.
        Only the compared fields are decrypted (the phone), never the ID number.
        """
        columns = ["id", "id_number_hash", *MEMBER_FIELDS, *RELATION_FIELDS]
        found = _select_in(PartyMember, columns, "id_number_hash", hashes)
        members = [Stored(columns, values) for values in found]
        for member in members:
            _typed(member, _MEMBER_TYPES)
        if "phone" in self.managed:
            phones = crypto.decrypt_many([m.phone for m in members])
            for member, phone in zip(members, phones, strict=True):
                member.phone = phone
        return {m.id_number_hash: m for m in members}

    @staticmethod
    def open_jobs(member_ids: list[int]) -> dict[int, Stored]:
        """Each member's latest open employment (as ``classify`` compares it)."""
        columns = ["id", "member_id", "organization_id", "job_title", "valid_from", "valid_to"]
        rows = _select_in(Employment, columns, "member_id", member_ids)
        jobs = {}
        for values in sorted(
            (r for r in rows if r[5] is None), key=lambda r: (as_date(r[4]), r[0])
        ):
            job = Stored(columns, values)
            job.valid_from = as_date(job.valid_from)
            jobs[job.member_id] = job  # the latest open employment wins
        return jobs

    @staticmethod
    def open_relations(member_ids: list[int]) -> dict[int, Stored]:
        """Each member's open relation period (the current relation's start)."""
        columns = ["id", "member_id", "party_organization_id", "external", "valid_from", "valid_to"]
        found = {}
        for values in _select_in(RelationPeriod, columns, "member_id", member_ids):
            if values[5] is None:
                period = Stored(columns, values)
                period.valid_from = as_date(period.valid_from)
                found[period.member_id] = period
        return found

    def _relation_plan(self, ctx, row, member, period):
        """What happens to the member's 组织关系: None, ("move", holder, day) — a dated move
        (the day in the since column, else the import's day) — or ("start", holder, day,
        recorded start) — the current relation's start corrected to the since column's day."""
        rec = row.record
        new = (rec["relation_party_organization_id"], rec["relation_external"])
        old = (member.relation_party_organization_id, member.relation_external)
        since = rec.get("relation_since")
        header = self.columns["relation"].header
        if new != old:
            row.changes[header] = [self._holder_name(old), self._holder_name(new)]
            if since:
                row.changes[self.columns["relation_since"].header] = ["", show(None, since)]
            return ("move", new, since or ctx.today)
        if since and period is not None and period.valid_from != since:
            row.changes[self.columns["relation_since"].header] = [
                show(None, period.valid_from),
                show(None, since),
            ]
            return ("start", new, since, period.valid_from)
        return None

    def _holder_name(self, holder) -> str:
        po, external = holder
        return self.party_org_names.get(po, str(po)) if po else external

    def _apply_relations(self, ctx, updated, members) -> None:
        """Each changed relation is a dated move through party.services (audited, the history
        and the current relation kept in step), all of the chunk's moves at once."""
        plans = [
            (members[r.key.pk], r.record["_relation"]) for r in updated if r.record.get("_relation")
        ]
        if not plans:
            return
        orgs = PartyOrganization.objects.in_bulk([p[1][0] for _m, p in plans if p[1][0]])
        moves = []
        for member, (action, (po, external), day, *start) in plans:
            to = orgs[po] if po else (external or None)
            if action == "start" and day > start[0]:
                # A later start than recorded: the current period is corrected (an earlier
                # one is a move that ends the period it overlaps).
                period = member.relation_periods.get(valid_to__isnull=True)
                party_services.correct_relation_start(period, day, actor=ctx.user, note=self.note)
            else:
                moves.append((member, to, day))
        party_services.move_relations_bulk(moves, actor=ctx.user, note=self.note)

    def _unit_name(self, rec) -> str:
        return self.unit_names.get(rec.get("employer_id"), "") or rec.get("employer_name", "")

    def _job_plan(self, ctx, row, job: Employment | None):
        """What happens to the member's employment: None, or (close, create, update) parts."""
        rec = row.record
        employer = rec.get("employer_id")
        left_on = rec.get("left_on")
        header = self.columns["employer_name"].header
        if left_on:
            if job is not None:
                row.changes[header] = [
                    self.unit_names.get(job.organization_id, ""),
                    _("ended on %(d)s") % {"d": left_on},
                ]
                return ("close", job, left_on)
            return None
        if not employer:
            return None
        start = rec.get("employed_from")
        if job is None:
            row.changes[header] = ["", self._unit_name(rec)]
            return ("create", None, start or ctx.today)
        if job.organization_id != employer:
            start = start or ctx.today
            row.changes[header] = [
                self.unit_names.get(job.organization_id, ""),
                self._unit_name(rec),
            ]
            return ("move", job, start)
        updates = {}
        if "job_title" in self.present and job.job_title != rec.get("job_title", ""):
            updates["job_title"] = rec.get("job_title", "")
            row.changes[self.columns["job_title"].header] = [job.job_title, updates["job_title"]]
        if start and job.valid_from != start:
            updates["valid_from"] = start
            row.changes[self.columns["employed_from"].header] = [
                show(None, job.valid_from),
                show(None, start),
            ]
        return ("update", job, updates) if updates else None

    def apply(self, ctx, rows):
        """New members and their employments are written on the import's raw path
        (``core.bulk``: reserved ids, COPY / executemany), not through
        ``party.bulk.create_members_bulk``: that one builds a model instance per row and calls
        ``bulk_create``, about six times slower for 100,000 members (bench/RESULTS.md), and the
        import must stay fast. Each new member gets its own ``create`` row in the trail
        (``core.audit_bulk.record_creations``, in bulk, masked), besides the import's one
        ``ledgers.imported`` event. Every change to a stored member or employment goes through
        the party services, which audit each changed row."""
        now = ctx.now
        new = [r for r in rows if r.status == NEW]
        ids = bulk.reserve_ids(PartyMember, len(new))
        member_rows, job_rows, closes, job_updates = [], [], [], []
        member_changes, job_starts, relation_rows = [], [], []
        for pk, row in zip(ids, new, strict=True):
            rec = row.record
            member_rows.append(
                (
                    pk,
                    rec["name"],
                    rec["gender"],
                    rec["ethnicity"],
                    rec["birth_date"],
                    rec["id_number"],
                    rec["hash"],
                    rec.get("suffix", ""),
                    rec.get("phone", ""),
                    rec.get("education", ""),
                    rec["joined_party_on"],
                    rec.get("full_member_on"),
                    rec["relation_party_organization_id"],
                    rec["relation_external"],
                    rec["is_flowing"],
                    rec["is_lost_contact"],
                    rec.get("left_on"),
                    now,
                    now,
                )
            )
            po, external = rec["relation_party_organization_id"], rec["relation_external"]
            if po or external:
                # The first period of the relation, beside the member's current one (the cache
                # party.services.relations keeps in step for every later move).
                start = rec.get("relation_since") or (
                    max(rec["joined_party_on"], self.party_org_days[po][0])
                    if po
                    else rec["joined_party_on"]
                )
                relation_rows.append((pk, po, external, start, None, now, now))
            if rec.get("employer_id"):
                left_on = rec.get("left_on")
                job_rows.append(
                    (
                        pk,
                        rec["employer_id"],
                        rec.get("job_title", ""),
                        rec.get("employed_from") or min(ctx.today, left_on or ctx.today),
                        left_on,
                        now,
                        now,
                    )
                )
        updated = [r for r in rows if r.status == CHANGED]
        members = PartyMember.objects.defer("id_number").in_bulk([r.key.pk for r in updated])
        job_ids = [
            r.record["_job"][1].pk
            for r in updated
            if r.record.get("_job") and r.record["_job"][1] is not None
        ]
        real_jobs = Employment.objects.in_bulk(job_ids)
        for row in updated:
            member, values = members[row.key.pk], row.record["_values"]
            member.id_number = row.record["id_number"]  # same hash, same number: not loaded
            changed = {f: v for f, v in values.items() if getattr(member, f) != v}
            if changed:
                member_changes.append((member, changed))
            plan = row.record.get("_job")
            if plan:
                action, job, arg = plan
                job = real_jobs[job.pk] if job is not None else None
                if job is not None:
                    job.member = member  # its trail record names the member: no query for it
                if action == "close":
                    closes.append((job, max(arg, job.valid_from)))
                elif action in ("move", "create"):
                    # A move closes the old employment the day before the new one starts.
                    if action == "move":
                        closes.append((job, max(arg - ONE_DAY, job.valid_from)))
                    job_starts.append(
                        {
                            "member_id": member.pk,
                            "organization_id": row.record["employer_id"],
                            "job_title": row.record.get("job_title", ""),
                            "valid_from": arg,
                            "valid_to": None,
                        }
                    )
                elif action == "update":
                    job_updates.append((job, arg))
        # Changes to stored members and employments (usually few) go through the party
        # services, which audit each changed row; a moved member's old employment is closed
        # before the new one starts.
        # Only when there are any: each opens a savepoint, and a statement waits for the
        # previous chunk's inserts still pending (``bulk.writes_behind``).
        if updated:
            actor, note = ctx.user, self.note
            party_bulk.update_members_bulk(member_changes, actor=actor, note=note)
            self._apply_relations(ctx, updated, members)
            party_bulk.close_employments_bulk(closes, actor=actor, note=note)
            party_bulk.update_employments_bulk(job_updates, actor=actor, note=note)
            party_bulk.start_employments_bulk(job_starts, actor=actor, note=note)
        # The new members last: with ``bulk.writes_behind`` (the import's commit) their
        # statements run while the next chunk is parsed; any query before them would wait.
        bulk.insert(PartyMember, NEW_MEMBER_COLUMNS, member_rows)
        # Each new member in the trail as record_change would put it (personal fields masked),
        # written in bulk like the members themselves.
        audit_bulk.record_creations(
            ctx.user,
            "party.partymember",
            _created(member_rows, job_rows),
            note=self.note,
        )
        bulk.insert(
            RelationPeriod,
            [
                "member",
                "party_organization",
                "external",
                "valid_from",
                "valid_to",
                "created_at",
                "updated_at",
            ],
            relation_rows,
        )
        bulk.insert(  # ids from the database: nothing points at a new employment yet
            Employment,
            [
                "member",
                "organization",
                "job_title",
                "valid_from",
                "valid_to",
                "created_at",
                "updated_at",
            ],
            job_rows,
        )
