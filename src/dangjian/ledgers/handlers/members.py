"""The party member ledger: the big one, read with plain queries and written on the bulk path.

A re-import of 100,000 unchanged members must not build 100,000 model instances, so the
stored rows are read with ``_select_in`` and new rows go through ``core.bulk``.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from dangjian.access import scope
from dangjian.access.models import Action
from dangjian.core import bulk, crypto
from dangjian.ledgers import cells
from dangjian.ledgers.engine import CHANGED, NEW, UNCHANGED
from dangjian.ledgers.handlers.base import (
    ONE_DAY,
    Handler,
    Stored,
    _date,
    _select_in,
    _typed,
    name_key,
    show,
)
from dangjian.party import bulk as party_bulk
from dangjian.party.models import Employment, PartyMember

_MEMBER_TYPES = {
    "birth_date": _date,
    "joined_party_on": _date,
    "full_member_on": _date,
    "left_on": _date,
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
    "relation_party_organization_id",
    "relation_external",
    "is_flowing",
    "is_lost_contact",
    "left_on",
)
# Member field → the ledger column it comes from (when it is not the same name).
MEMBER_SOURCES = {"relation_party_organization_id": "relation", "relation_external": "relation"}


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
        self.births: dict[str, datetime.date] = {}  # digits 7–14 → date (valid: validated)

    def prepare(self, ctx, rows):
        numbered = [r.record for r in rows if r.record.get("id_number")]
        hashes = crypto.blind_index_many([rec["id_number"] for rec in numbered])
        for rec, digest in zip(numbered, hashes, strict=True):
            rec["hash"] = digest

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
            if joined > ctx.today:
                errors["joined_party_on"] = _("This date is in the future.")
            birth = get("birth_date")
            if birth and (joined.year, joined.month, joined.day) < (
                birth.year + 18,
                birth.month,
                birth.day,
            ):
                errors["joined_party_on"] = _("The member would have joined the party before 18.")
        if get("employer_uscc") or get("employer_name"):
            rec["employer_id"] = self.unit_for(row, "employer_uscc", "employer_name")
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
            self.compare(row, member, values, MEMBER_SOURCES)
            rec["_values"] = values
            rec["_job"] = self._job_plan(ctx, row, jobs.get(member.pk))
            row.status = CHANGED if row.changes else UNCHANGED

    def existing(self, hashes: list[str]) -> dict[str, Stored]:
        """What is stored of the members with these blind indexes, read with plain queries.

        No model instance is built (a re-import of 100,000 unchanged members would spend most
        of its time in the ORM); ``apply`` loads real instances for the few rows that change.
        Only the compared fields are decrypted (the phone), never the ID number.
        """
        columns = ["id", "id_number_hash", *MEMBER_FIELDS]
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
        for values in sorted((r for r in rows if r[5] is None), key=lambda r: (_date(r[4]), r[0])):
            job = Stored(columns, values)
            job.valid_from = _date(job.valid_from)
            jobs[job.member_id] = job  # the latest open employment wins
        return jobs

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
        import must stay fast. The import's one ``ledgers.imported`` event records them. Every
        change to a stored member or employment goes through the party services."""
        now = ctx.now
        new = [r for r in rows if r.status == NEW]
        ids = bulk.reserve_ids(PartyMember, len(new))
        member_rows, job_rows, closes, job_updates = [], [], [], []
        member_changes, job_starts = [], []
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
        bulk.insert(
            PartyMember,
            [
                "id",
                "name",
                "gender",
                "ethnicity",
                "birth_date",
                "id_number",
                "id_number_hash",
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
            ],
            member_rows,
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
        actor, note = ctx.user, self.note
        party_bulk.update_members_bulk(member_changes, actor=actor, note=note)
        party_bulk.close_employments_bulk(closes, actor=actor, note=note)
        party_bulk.update_employments_bulk(job_updates, actor=actor, note=note)
        party_bulk.start_employments_bulk(job_starts, actor=actor, note=note)
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
