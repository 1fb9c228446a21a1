"""What each ledger means for the database: lookups, cross-column checks, upsert, audit.

Stable keys: members by the blind index of their ID number, units by their credit code, party
organizations by name within the federation. A row that ends a fact (a leaving date, an exit
date, a dissolution date, a shortened coverage list) closes its validity period; nothing is
deleted.
"""

from __future__ import annotations

import datetime

from django.db import connection
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from dangjian.access import scope
from dangjian.access.models import Action
from dangjian.core import audit, crypto
from dangjian.core.models import AuditLog
from dangjian.ledgers import bulk, cells, specs
from dangjian.ledgers.engine import CHANGED, NEW, UNCHANGED, Row
from dangjian.orglife.models import Meeting
from dangjian.party.models import (
    Coverage,
    Employment,
    Instructor,
    InstructorAssignment,
    PartyMember,
    PartyOrganization,
    Position,
)
from dangjian.registry.models import Membership, Organization

ONE_DAY = datetime.timedelta(days=1)


class Stored:
    """A stored row read with a plain query: its columns as attributes (``member.phone``)."""

    def __init__(self, columns, values):
        self.__dict__.update(zip(columns, values, strict=True))
        self.pk = self.id


def _select_in(model, columns: list[str], key: str, values: list, size: int = 5000) -> list:
    """``SELECT columns FROM model WHERE key IN values`` in parts of ``size`` parameters."""
    if not values:
        return []
    quote = connection.ops.quote_name
    head = "SELECT {} FROM {} WHERE {} IN ".format(  # noqa: S608 - names from the model
        ", ".join(quote(c) for c in columns), quote(model._meta.db_table), quote(key)
    )
    found = []
    with connection.cursor() as cursor:
        for start in range(0, len(values), size):
            part = values[start : start + size]
            if connection.vendor == "postgresql":  # one array: parsed and planned at once
                cursor.execute(head.removesuffix(" IN ") + " = ANY(%s)", [part])
            else:
                cursor.execute(head + f"({', '.join(['%s'] * len(part))})", part)
            found += cursor.fetchall()
    return found


def _date(value):
    """A date column's value as SQLite (text) or PostgreSQL (date) returns it, as a date."""
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(value)


_MEMBER_TYPES = {
    "birth_date": _date,
    "joined_party_on": _date,
    "full_member_on": _date,
    "left_on": _date,
    "is_flowing": bool,
    "is_lost_contact": bool,
}


def _typed(stored: Stored, types: dict) -> None:
    fields = stored.__dict__
    for name, convert in types.items():
        fields[name] = convert(fields[name])


def show(column: specs.Column | None, value) -> str:
    """A value as the user wrote it in the ledger (for previews and audit notes)."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if column is not None and column.kind == "choice":
        for label, code in column.labels().items():
            if code == value:
                return label
    return str(value)


def name_key(value: str) -> str:
    return cells.compact(value)


def audit_updates(ctx, pairs: list[tuple[object, dict]], note: str) -> None:
    """One AuditLog row per changed object, built like ``core.audit.record_change`` does."""
    records = []
    actor_fields = audit._actor_fields(ctx.user)
    context = audit._context()
    for obj, before in pairs:
        changed = audit.diff(before, audit.snapshot(obj))
        if not changed:
            continue
        records.append(
            AuditLog(
                action=AuditLog.Action.UPDATE,
                object_type=obj._meta.label_lower,
                object_id=str(obj.pk),
                object_repr=str(obj)[:200],
                changes={"fields": changed},
                note=note,
                **actor_fields,
                **context,
            )
        )
    AuditLog.objects.bulk_create(records, batch_size=1000)


class Handler:
    ledger = ""
    chunk_size = 5000
    note = "ledger import"

    def __init__(self):
        self.spec = specs.LEDGERS[self.ledger]
        self.columns = {c.key: c for c in self.spec.columns}
        self.seen: dict = {}
        self.present: set[str] = set()

    def required_alternatives(self, present: set[str]) -> bool:
        return False

    # -- lookups shared by the ledgers -------------------------------------------------------
    def units(self, ctx):
        qs = Organization.objects.filter(
            Exists_membership(ctx.federation)
        )  # every unit that is or was a member of the federation (or one below it)
        if ctx.user is not None:
            qs = qs.filter(pk__in=scope.organizations(ctx.user, Action.EDIT).values("pk"))
        return qs

    def party_orgs(self, ctx):
        qs = PartyOrganization.objects.filter(federation__path__startswith=ctx.federation.path)
        if ctx.user is not None:
            qs = qs.filter(pk__in=scope.party_organizations(ctx.user, Action.EDIT).values("pk"))
        return qs

    def load_units(self, ctx):
        self.unit_by_uscc, self.unit_by_name, self.unit_names = {}, {}, {}
        for pk, uscc, name in self.units(ctx).values_list("pk", "uscc", "name"):
            self.unit_names[pk] = name
            if uscc:
                self.unit_by_uscc[uscc] = pk
            key = name_key(name)
            self.unit_by_name[key] = None if key in self.unit_by_name else pk

    def load_party_orgs(self, ctx):
        self.party_org_by_name, self.party_org_names = {}, {}
        for pk, name in self.party_orgs(ctx).values_list("pk", "name"):
            self.party_org_names[pk] = name
            key = name_key(name)
            self.party_org_by_name[key] = None if key in self.party_org_by_name else pk

    def unit_for(self, row: Row, uscc_key: str, name_key_: str | None):
        uscc = row.record.get(uscc_key)
        if uscc:
            pk = self.unit_by_uscc.get(uscc)
            if pk is None:
                row.errors[uscc_key] = _(
                    "No member unit of this federation within your scope has the credit code "
                    "%(uscc)s; import the unit first (member unit ledger) or check the code."
                ) % {"uscc": uscc}
            return pk
        name = row.record.get(name_key_) if name_key_ else ""
        if name:
            pk = self.unit_by_name.get(name_key(name), "missing")
            if pk == "missing":
                row.errors[name_key_] = _(
                    "No member unit of this federation within your scope is named %(name)s."
                ) % {"name": name}
                return None
            if pk is None:
                row.errors[name_key_] = _(
                    "Several units are named %(name)s; fill in the credit code instead."
                ) % {"name": name}
            return pk
        row.errors[uscc_key] = _("Fill in the unit's credit code (or its full name).")
        return None

    def party_org_for(self, row: Row, key: str, *, required=True):
        name = row.record.get(key)
        if not name:
            return None
        pk = self.party_org_by_name.get(name_key(name), "missing")
        if pk == "missing" or pk is None:
            if required:
                row.errors[key] = (
                    _(
                        "No party organization of this federation within your scope is named %(name)s."
                    )
                    % {"name": name}
                    if pk == "missing"
                    else _("Several party organizations are named %(name)s.") % {"name": name}
                )
            return None
        return pk

    def duplicate(self, row: Row, key, column: str) -> bool:
        first = self.seen.get(key)
        if first is not None:
            row.errors[column] = _("Same as row %(row)d of this file; each appears once.") % {
                "row": first
            }
            return True
        self.seen[key] = row.number
        return False

    def compare(self, row: Row, obj, values: dict, labels: dict[str, str]) -> None:
        """Fill ``row.changes`` with the fields of ``obj`` that ``values`` would change."""
        for fieldname, new in values.items():
            old = getattr(obj, fieldname)
            if old != new:
                column = self.columns.get(labels.get(fieldname, fieldname))
                header = column.header if column else fieldname
                row.changes[header] = [
                    self.display(fieldname, column, old),
                    self.display(fieldname, column, new),
                ]

    def display(self, fieldname: str, column, value) -> str:
        if fieldname in ("relation_party_organization_id", "parent_id") and value:
            return self.party_org_names.get(value, str(value))
        return show(column, value)

    # -- to be provided ----------------------------------------------------------------------
    def load(self, ctx, present: set[str]) -> None:
        self.present = present

    def check(self, ctx, row: Row) -> None:
        raise NotImplementedError

    def classify(self, ctx, rows: list[Row]) -> None:
        raise NotImplementedError

    def apply(self, ctx, rows: list[Row]) -> None:
        raise NotImplementedError


def Exists_membership(federation):  # noqa: N802 - reads as a Q
    from django.db.models import Exists, OuterRef

    return Q(
        Exists(
            Membership.objects.filter(
                organization=OuterRef("pk"), federation__path__startswith=federation.path
            )
        )
    )


# ============================================================================================
# Party members (the big one: bulk path)
# ============================================================================================

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

    def load(self, ctx, present):
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
        self.blind_index = bulk.blind_indexer()
        self.relations: dict[str, int | None] = {}  # relation text → party organization or None
        self.births: dict[str, datetime.date] = {}  # digits 7–14 → date (valid: validated)

    def check(self, ctx, row):
        rec, errors = row.record, row.errors
        get = rec.get
        number = get("id_number")
        rec["name"] = cells.compact(get("name", ""))
        if number:
            rec["hash"] = digest = self.blind_index(number)
            self.duplicate(row, digest, "id_number")
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
        decrypt = bulk.decryptor() if "phone" in self.managed else None
        out = {}
        for values in found:
            member = Stored(columns, values)
            _typed(member, _MEMBER_TYPES)
            if decrypt is not None and member.phone:
                member.phone = decrypt(member.phone)
            out[member.id_number_hash] = member
        return out

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
        now = ctx.now
        new = [r for r in rows if r.status == NEW]
        ids = bulk.reserve_ids(PartyMember, len(new))
        member_rows, job_rows, closes, job_updates, audit_pairs = [], [], [], [], []
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
        updated, update_rows = [r for r in rows if r.status == CHANGED], []
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
            before = audit.snapshot(member)
            changed = {f: v for f, v in values.items() if getattr(member, f) != v}
            for f, v in changed.items():
                setattr(member, f, v)
            if changed:
                update_rows.append(
                    tuple(getattr(member, f) for f in MEMBER_FIELDS) + (now, member.pk)
                )
                audit_pairs.append((member, before))
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
                    job_rows.append(
                        (
                            member.pk,
                            row.record["employer_id"],
                            row.record.get("job_title", ""),
                            arg,
                            None,
                            now,
                            now,
                        )
                    )
                elif action == "update":
                    job_updates.append((job, arg))
        bulk.update(
            PartyMember,
            [*(f.removesuffix("_id") for f in MEMBER_FIELDS), "updated_at"],
            update_rows,
        )
        for job, valid_to in closes:
            before = audit.snapshot(job)
            job.valid_to = valid_to
            job.save(update_fields=["valid_to", "updated_at"])
            audit_pairs.append((job, before))
        for job, updates in job_updates:
            before = audit.snapshot(job)
            for f, v in updates.items():
                setattr(job, f, v)
            job.save(update_fields=[*updates, "updated_at"])
            audit_pairs.append((job, before))
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
        audit_updates(ctx, audit_pairs, self.note)


# ============================================================================================
# Smaller ledgers: plain ORM writes (hundreds or thousands of rows)
# ============================================================================================


class OrganizationHandler(Handler):
    ledger = "organizations"
    FIELDS = (
        "name",
        "legal_form",
        "category",
        "district",
        "supervising_unit",
        "registration_authority",
        "founded_on",
        "registered_address",
        "contact_name",
        "contact_phone",
        "status",
    )

    def load(self, ctx, present):
        super().load(ctx, present)
        self.load_units(ctx)

    def check(self, ctx, row):
        rec = row.record
        if rec.get("uscc"):
            self.duplicate(row, rec["uscc"], "uscc")
        rec["status"] = rec.get("status") or Organization.Status.ACTIVE
        if "contact_name" in rec:
            rec["contact_name"] = cells.compact(rec["contact_name"])
        row.label = rec.get("name", "")

    def classify(self, ctx, rows):
        existing = Organization.objects.in_bulk([r.record["uscc"] for r in rows], field_name="uscc")
        for row in rows:
            rec = row.record
            org = existing.get(rec["uscc"])
            row.key = org
            if org is None:
                row.status = NEW
                continue
            if org.pk not in self.unit_names:
                row.errors["uscc"] = _(
                    "A unit with this credit code exists but is not a member unit of this "
                    "federation within your scope; it cannot be changed from here."
                )
                continue
            values = {f: rec[f] for f in self.FIELDS if f in rec}
            self.compare(row, org, values, {})
            rec["_values"] = values
            row.status = CHANGED if row.changes else UNCHANGED

    def apply(self, ctx, rows):
        pairs = []
        for row in rows:
            rec = row.record
            if row.status == NEW:
                org = Organization.objects.create(
                    uscc=rec["uscc"], **{f: rec[f] for f in self.FIELDS if f in rec}
                )
                Membership.objects.create(
                    federation=ctx.federation,
                    organization=org,
                    role=rec.get("membership_role") or Membership.Role.MEMBER,
                    valid_from=rec.get("joined_on") or ctx.today,
                )
                self.unit_by_uscc[org.uscc] = org.pk
            else:
                org = row.key
                before = audit.snapshot(org)
                for f, v in rec["_values"].items():
                    setattr(org, f, v)
                org.save()
                pairs.append((org, before))
        audit_updates(ctx, pairs, self.note)


class ValidityHandler(Handler):
    """A ledger of facts with validity periods, keyed within the federation.

    Subclasses say how a row maps to a model object: ``key``, ``values`` and ``existing``.
    """

    model = None
    closes_with = "valid_to"

    def values(self, ctx, row) -> dict:
        raise NotImplementedError

    def existing(self, ctx) -> dict:
        raise NotImplementedError

    def classify(self, ctx, rows):
        if not hasattr(self, "_existing"):
            self._existing = self.existing(ctx)
        for row in rows:
            obj = self._existing.get(row.key)
            values = self.values(ctx, row)
            row.record["_values"] = values
            if obj is None:
                row.status = NEW
                row.changes = {
                    (self.columns[k].header if k in self.columns else k): [
                        "",
                        show(self.columns.get(k), v),
                    ]
                    for k, v in values.items()
                    if v not in ("", None) and k in self.columns
                }
                continue
            row.record["_obj"] = obj
            self.compare(row, obj, values, self.sources)
            row.status = CHANGED if row.changes else UNCHANGED

    sources: dict = {}

    def apply(self, ctx, rows):
        pairs = []
        for row in rows:
            self.before_save(ctx, row)
            values = row.record["_values"]
            if row.status == NEW:
                obj = self.model.objects.create(**values, **self.fixed(ctx, row))
                self._existing[row.key] = obj
            else:
                obj = row.record["_obj"]
                before = audit.snapshot(obj)
                for f, v in values.items():
                    setattr(obj, f, v)
                obj.save()
                pairs.append((obj, before))
            self.after_save(ctx, row, obj)
        audit_updates(ctx, pairs, self.note)

    def fixed(self, ctx, row) -> dict:
        return {}

    def before_save(self, ctx, row) -> None:
        pass

    def after_save(self, ctx, row, obj) -> None:
        pass


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
        return {"federation": ctx.federation, "organization_id": row.key}


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
        for row in rows:
            obj = row.record.get("_obj")
            if "covered_uscc" in self.present and obj is not None:
                current = {c.organization_id for c in obj.coverages.all() if c.valid_to is None}
                wanted = {self.unit_by_uscc[c] for c in row.record["_codes"]}
                if current != wanted:
                    row.changes[self.columns["covered_uscc"].header] = [
                        str(len(current)),
                        str(len(wanted)),
                    ]
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
        for f in (
            "formation_mode",
            "approval_doc_no",
            "approval_date",
            "term_started_on",
            "term_years",
        ):
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

    def fixed(self, ctx, row):
        return {"federation": ctx.federation}

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
        super().apply(ctx, ordered)

    def before_save(self, ctx, row):
        if "parent" in self.present and row.record.get("parent"):
            row.record["_values"]["parent_id"] = self._parent_id(row.record["parent"])

    def after_save(self, ctx, row, obj):
        if "covered_uscc" not in self.present and not obj.valid_to:
            return
        rec = row.record
        wanted = {self.unit_by_uscc[c] for c in rec["_codes"]}
        start = max(obj.valid_from, ctx.today) if row.status == CHANGED else obj.valid_from
        end = obj.valid_to
        kind = rec.get("coverage_kind") or Coverage.Kind.OWN
        pairs = []
        for coverage in obj.coverages.filter(valid_to__isnull=True):
            if coverage.organization_id in wanted and not end:
                wanted.discard(coverage.organization_id)
                continue
            before = audit.snapshot(coverage)
            coverage.valid_to = max(coverage.valid_from, end or ctx.today)
            coverage.save(update_fields=["valid_to", "updated_at"])
            pairs.append((coverage, before))
        if not end:
            Coverage.objects.bulk_create(
                Coverage(party_organization=obj, organization_id=o, kind=kind, valid_from=start)
                for o in wanted
            )
        audit_updates(ctx, pairs, self.note)


def _split_codes(value: str) -> list[str]:
    import re

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
            instructor = Instructor.objects.create(
                name=rec["name"],
                kind=rec.get("kind") or Instructor.Kind.INSTRUCTOR,
                phone=rec.get("phone", ""),
                dispatched_by=rec["dispatched_by"],
                notice_no=rec.get("notice_no", ""),
                notice_date=rec.get("notice_date"),
                valid_from=rec["valid_from"],
            )
            self.instructors[key] = instructor
        return {
            "instructor": instructor,
            "organization_id": rec["_org"],
            "valid_from": rec["valid_from"],
        }


class MeetingHandler(ValidityHandler):
    ledger = "meetings"
    model = Meeting

    def load(self, ctx, present):
        super().load(ctx, present)
        self.load_party_orgs(ctx)

    def check(self, ctx, row):
        rec = row.record
        party_org = self.party_org_for(row, "party_org")
        rec["_party_org"] = party_org
        row.key = (party_org, rec.get("kind"), rec.get("held_on"), rec.get("topic", ""))
        if party_org:
            self.duplicate(row, row.key, "held_on")
        if rec.get("held_on") and rec["held_on"] > ctx.today:
            row.errors["held_on"] = _("This date is in the future.")
        e, p = rec.get("expected_count"), rec.get("present_count")
        if e is not None and p is not None and p > e:
            row.errors["present_count"] = _("More people present than expected.")
        row.label = rec.get("topic") or show(self.columns["kind"], rec.get("kind"))

    def existing(self, ctx):
        return {
            (m.party_organization_id, m.kind, m.held_on, m.topic): m
            for m in Meeting.objects.filter(party_organization__in=self.party_orgs(ctx))
        }

    def values(self, ctx, row):
        rec = row.record
        values = {}
        for f in ("expected_count", "present_count", "minutes"):
            if f in self.present:
                values[f] = rec.get(f) if f != "minutes" else rec.get(f, "")
        return values

    def fixed(self, ctx, row):
        rec = row.record
        return {
            "party_organization_id": rec["_party_org"],
            "kind": rec["kind"],
            "held_on": rec["held_on"],
            "topic": rec.get("topic", ""),
        }


HANDLERS = {
    h.ledger: h
    for h in (
        MemberHandler,
        OrganizationHandler,
        MembershipHandler,
        PartyOrgHandler,
        PositionHandler,
        InstructorHandler,
        MeetingHandler,
    )
}


def handler_for(ledger: str) -> Handler:
    with translation.override("zh-hans"):
        return HANDLERS[ledger]()
