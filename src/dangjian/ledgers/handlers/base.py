"""The handler base: shared lookups and cross-column checks. Writes go through the fact
apps' services (registry, party, orglife), which audit them.

Stable keys: members by the blind index of their ID number, units by their credit code, party
organizations by name within the federation. A row that ends a fact (a leaving date, an exit
date, a dissolution date, a shortened coverage list) closes its validity period; nothing is
deleted.
"""

from __future__ import annotations

import datetime
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from dangjian.access import scope
from dangjian.access.models import Action
from dangjian.core import crypto
from dangjian.core.masking import mask_id_number, mask_phone
from dangjian.core.sql import as_date
from dangjian.core.validators import not_before_founding
from dangjian.ledgers import cells, specs
from dangjian.ledgers.engine import CHANGED, NEW, UNCHANGED, Row
from dangjian.party.models import PartyMember, PartyOrganization
from dangjian.registry.models import Membership, Organization

ONE_DAY = datetime.timedelta(days=1)


class Stored:
    """A stored row read with a plain query: its columns as attributes (``member.phone``)."""

    def __init__(self, columns, values):
        self.__dict__.update(zip(columns, values, strict=True))
        self.pk = self.id

    if TYPE_CHECKING:  # the columns are known only when the query runs

        def __getattr__(self, name: str) -> Any: ...

        def __setattr__(self, name: str, value: Any) -> None: ...


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


_MEMBER_TYPES = {
    "birth_date": as_date,
    "joined_party_on": as_date,
    "full_member_on": as_date,
    "left_on": as_date,
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


class Handler:
    ledger = ""
    chunk_size = 5000
    note = "ledger import"

    def __init__(self) -> None:
        self.spec = specs.LEDGERS[self.ledger]
        self.columns = {c.key: c for c in self.spec.columns}
        self.seen: dict = {}
        self.present: set[str] = set()

    def required_alternatives(self, present: set[str]) -> bool:
        return False

    # -- lookups shared by the ledgers -------------------------------------------------------
    def units(self, ctx, action=Action.EDIT):
        # every unit that is or was a member of the federation (or one below it)
        qs = Organization.objects.filter(member_of_federation(ctx.federation))
        if ctx.user is not None:
            qs = qs.filter(pk__in=scope.organizations(ctx.user, action).values("pk"))
        return qs

    def party_orgs(self, ctx):
        qs = PartyOrganization.objects.filter(federation__path__startswith=ctx.federation.path)
        if ctx.user is not None:
            qs = qs.filter(pk__in=scope.party_organizations(ctx.user, Action.EDIT).values("pk"))
        return qs

    def load_units(self, ctx, action=Action.EDIT):
        self.unit_by_uscc, self.unit_by_name, self.unit_names = {}, {}, {}
        self.unit_founded: dict[int, datetime.date] = {}
        rows = self.units(ctx, action).values_list("pk", "uscc", "name", "founded_on")
        for pk, uscc, name, founded in rows:
            self.unit_names[pk] = name
            if founded:
                self.unit_founded[pk] = founded
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

    def after_founding(self, row: Row, key: str, founded: datetime.date | None) -> None:
        """A unit's fact (``row.record[key]``) not before the unit was founded, as the forms
        check it (core.validators.not_before_founding, its message)."""
        day = row.record.get(key)
        if not day or not founded:
            return
        try:
            not_before_founding(day, founded)
        except ValidationError as exc:
            row.errors.setdefault(key, " ".join(exc.messages))

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

    def member_for(self, ctx, row: Row, key: str = "id_number") -> int | None:
        """The party member of the row's ID number among those the user may edit (its id), or
        None with the error on the row."""
        number = row.record.get(key)
        if not number:
            return None
        members = PartyMember.objects.filter(id_number_hash=crypto.blind_index(number))
        if ctx.user is not None:
            members = members.filter(pk__in=scope.members(ctx.user, Action.EDIT).values("pk"))
        pk = members.values_list("pk", flat=True).first()
        if pk is None:
            row.errors[key] = _(
                "No party member with this ID number is in the ledger; import them in the "
                "party member ledger first."
            )
        return pk

    def system_party_org(self, name: str) -> PartyOrganization | None | str:
        """A party organization of the whole system by its name (a transfer's destination or
        a flowing member's host may be in another federation): the organization, None when
        none has that name, or "several"."""
        found = list(PartyOrganization.objects.filter(name=cells.compact(name))[:2])
        if len(found) > 1:
            return "several"
        return found[0] if found else None

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
        # The preview (stored with the upload, shown on its page) never holds a clear number.
        if column is not None and column.kind == "phone":
            return mask_phone(show(column, value))
        if column is not None and column.kind == "id_number":
            return mask_id_number(show(column, value))
        return show(column, value)

    def unmask(self, row: Row, values: dict, fieldname: str, stored: str) -> None:
        """A phone masked with * (a masked export imported back) stands for the stored phone
        when it masks to the same; any other masked phone is refused, nothing guessed."""
        value = values.get(fieldname) or ""
        if "*" not in value:
            return
        if stored and mask_phone(stored) == value:
            values[fieldname] = stored
        else:
            row.errors[fieldname] = _(
                "This phone number is masked with *; type the full number to import it."
            )

    # -- to be provided ----------------------------------------------------------------------
    def load(self, ctx, present: set[str]) -> None:
        self.present = present

    def writing(self, ctx) -> AbstractContextManager[None]:
        """Held around the whole run (every chunk's checks and writes): what the ledger's
        services do once for a whole import rather than once a chunk (optional)."""
        return nullcontext()

    def prepare(self, ctx, rows: list[Row]) -> None:
        """Work done for a whole chunk before its rows are checked one by one (optional)."""

    def check(self, ctx, row: Row) -> None:
        raise NotImplementedError

    def classify(self, ctx, rows: list[Row]) -> None:
        raise NotImplementedError

    def apply(self, ctx, rows: list[Row]) -> None:
        raise NotImplementedError


class KeyedHandler(Handler):
    """A ledger whose rows are facts with a stable key within the federation: new, changed or
    unchanged against the stored fact of the same key, written through the owning app's
    services.

    Subclasses say how a row maps to a model object: ``row.key`` (in ``check``), ``values``
    (what a row may change), ``fixed`` (what identifies a new fact), ``existing``, and the
    services that ``create`` and ``update``.
    """

    def values(self, ctx, row) -> dict:
        raise NotImplementedError

    def existing(self, ctx) -> dict:
        raise NotImplementedError

    def existing_for(self, ctx, rows) -> dict:
        """{key: stored fact} of the facts a chunk's rows may match: by default every fact of
        the federation (``existing``), read once for the whole import. A ledger whose stored
        facts are too many to hold reads the chunk's own instead."""
        if not hasattr(self, "_existing"):
            self._existing = self.existing(ctx)
        return self._existing

    def classify(self, ctx, rows):
        self._existing = self.existing_for(ctx, rows)
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
        """New facts in one call of their service's bulk form, changed ones in another (each
        changed row gets its field-level audit record there)."""
        new = [r for r in rows if r.status == NEW]
        created = self.create(ctx, [{**r.record["_values"], **self.fixed(ctx, r)} for r in new])
        for row, obj in zip(new, created, strict=True):
            self._existing[row.key] = obj
        self.update(
            ctx, [(r.record["_obj"], r.record["_values"]) for r in rows if r.status == CHANGED]
        )

    def fixed(self, ctx, row) -> dict:
        return {}

    def create(self, ctx, rows: list[dict]) -> list:
        """Write the new facts (dicts of model fields) through the owning app's service."""
        raise NotImplementedError

    def update(self, ctx, changes: list[tuple[object, dict]]) -> None:
        """Apply ``(fact, {field: value})`` changes through the owning app's service."""
        raise NotImplementedError


class UnitFactHandler(KeyedHandler):
    """A ledger of dated facts about member units (charter revisions, major decisions, annual
    inspections, visits): each row names its unit by its credit code, or by its full name in a
    file without that column; only units in the user's scope (``unit_action``) are found."""

    unit_action: str = Action.EDIT

    def required_alternatives(self, present: set[str]) -> bool:
        """A file without the credit code column is read when it names the units instead."""
        required = {c.key for c in self.spec.columns if c.required} - {"uscc"}
        return "name" in present and required <= present

    def load(self, ctx, present):
        super().load(ctx, present)
        self.load_units(ctx, self.unit_action)

    def stored(self, ctx, model):
        """The stored facts of ``model`` about the units in scope."""
        return model.objects.filter(
            organization__in=self.units(ctx, self.unit_action).values("pk")
        ).order_by("pk")

    def unit(self, row: Row):
        """The row's unit (its id, or None with the error on the row), kept in ``_org``."""
        if "uscc" in row.errors:  # an unreadable code: its own error says what is wrong
            row.record["_org"] = None
            return None
        org = self.unit_for(row, "uscc", "name")
        row.record["_org"] = org
        return org

    def unit_label(self, row, *parts):
        name = self.unit_names.get(row.record.get("_org")) or row.record.get("name", "")
        return " ".join([name, *(show(None, p) for p in parts if p not in (None, ""))])

    def optional(self, row: Row, *fields: str) -> dict:
        """The row's values of the optional ``fields`` whose column is in the file (a column
        left out of the file changes nothing)."""
        rec = row.record
        return {f: rec.get(f, "") for f in fields if f in self.present}


def validate(row: Row, key: str, *checks) -> None:
    """Run core.validators-style ``checks`` (raising ValidationError) on the row's ``key``;
    the first failure's Chinese message goes on the row."""
    value = row.record.get(key)
    if value is None or key in row.errors:
        return
    for check in checks:
        try:
            check(value)
        except ValidationError as exc:
            row.errors[key] = exc.messages[0]
            return


def member_of_federation(federation) -> Q:
    """Units that are or were a member of ``federation`` (or of a federation below it)."""
    return Q(
        Exists(
            Membership.objects.filter(
                organization=OuterRef("pk"), federation__path__startswith=federation.path
            )
        )
    )
