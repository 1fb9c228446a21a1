"""The federation ledger: the federation an upload belongs to and the federations below it,
by name (names are unique), each placed under its parent. Written through registry.services.

What a row may do: add a federation below this one, change the data of this one or of one
below it, move one below it to another parent below it. This federation's own place (its
parent) is the higher federation's to decide: a row for it must name its current parent or
none; only the command line (the operator, no user) may set it.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from dangjian.access import scope
from dangjian.access.models import Action
from dangjian.core.validators import not_in_future
from dangjian.ledgers.engine import CHANGED, NEW, UNCHANGED, Row
from dangjian.ledgers.handlers.base import KeyedHandler, name_key, show, validate
from dangjian.registry import services as registry_services
from dangjian.registry.models import Federation

FIELDS = (
    "short_name",
    "level",
    "uscc",
    "region",
    "supervising_unit",
    "founded_on",
    "letter_prefix",
)
LEVELS = list(Federation.Level.values)  # national, provincial, city, district: higher first
TOP = ""  # the parent key of a federation without a parent


class FederationHandler(KeyedHandler):
    ledger = "federations"
    chunk_size = 100_000  # parents may come later in the file: one chunk

    def load(self, ctx, present):
        super().load(ctx, present)
        self.root = ctx.federation
        editable = Federation.objects.filter(path__startswith=self.root.path)
        if ctx.user is not None:
            editable = editable.filter(pk__in=scope.federations(ctx.user, Action.EDIT).values("pk"))
        self.editable = set(editable.values_list("pk", flat=True))
        # Names are unique across the system: a name is either free or one federation.
        self.by_name = {name_key(f.name): f for f in Federation.objects.select_related("parent")}
        self.in_file: dict[str, Row] = {}  # every row of the file, with errors or not
        self.rows: dict[str, Row] = {}  # the rows without errors

    def check(self, ctx, row):
        rec = row.record
        row.key = name_key(rec.get("name", ""))
        row.label = rec.get("name", "")
        if not row.key:
            return
        if not self.duplicate(row, row.key, "name"):
            self.in_file[row.key] = row
        stored = self.by_name.get(row.key)
        if stored is not None and stored.pk not in self.editable:
            row.errors["name"] = _(
                "A federation named %(name)s exists outside this federation or your scope; it "
                "cannot be changed from here."
            ) % {"name": stored.name}
        validate(row, "founded_on", not_in_future)

    # -- the tree the file asks for ------------------------------------------------------------
    def classify(self, ctx, rows):
        self.rows = {row.key: row for row in rows}
        for row in rows:
            row.record["_parent"] = self._parent(ctx, row)
        # A row whose parent is a row with errors cannot be written either.
        changed = True
        while changed:
            changed = False
            for row in rows:
                parent = self.in_file.get(row.record.get("_parent") or TOP)
                if not row.errors and parent is not None and parent.errors:
                    row.errors["parent"] = _("The row of its parent federation has errors.")
                    changed = True
        for row in rows:
            if not row.errors:
                self._check_tree(row)
        rows[:] = [r for r in rows if not r.errors]
        super().classify(ctx, rows)
        parent_header = self.columns["parent"].header
        for row in rows:
            obj = row.record.get("_obj")
            if obj is None:
                if row.record["_parent"]:
                    row.changes[parent_header] = ["", self._name(row.record["_parent"])]
                continue
            old = name_key(obj.parent.name) if obj.parent_id else TOP
            if old != row.record["_parent"]:
                row.changes[parent_header] = [self._name(old), self._name(row.record["_parent"])]
                row.status = CHANGED if row.status == UNCHANGED else row.status

    def _parent(self, ctx, row) -> str | None:
        """The key of the row's parent federation (TOP for none), or None with an error."""
        rec = row.record
        stored = self.by_name.get(row.key)
        current = name_key(stored.parent.name) if stored and stored.parent_id else TOP
        given = name_key(rec.get("parent", "")) if "parent" in self.present else ""
        if stored is not None and stored.pk == self.root.pk:
            if not given or given == current:
                return current
            if ctx.user is not None:
                row.errors["parent"] = _(
                    "This federation's own parent is decided by the higher federation or the "
                    "system administrator; leave the cell empty or give its current parent."
                )
                return None
            found = self.by_name.get(given)
            if found is None or found.path.startswith(self.root.path):
                row.errors["parent"] = _(
                    "No federation named %(name)s exists above this federation."
                ) % {"name": rec["parent"]}
                return None
            return given
        if not given:
            if stored is not None:
                return current
            row.errors["parent"] = _("Give the parent federation: this federation or one below it.")
            return None
        if given in self.in_file:
            return given
        found = self.by_name.get(given)
        if found is None:
            row.errors["parent"] = _(
                "No federation named %(name)s exists, in the system or in this file."
            ) % {"name": rec["parent"]}
            return None
        if found.pk not in self.editable:
            row.errors["parent"] = _(
                "%(name)s is not this federation or one below it within your scope."
            ) % {"name": found.name}
            return None
        return given

    def _final_parent(self, key: str) -> str | None:
        row = self.rows.get(key)
        if row is not None:
            return row.record["_parent"]
        stored = self.by_name.get(key)
        if stored is None:
            return None
        return name_key(stored.parent.name) if stored.parent_id else TOP

    def _level(self, key: str) -> str | None:
        row = self.rows.get(key)
        if row is not None:
            return row.record.get("level")
        stored = self.by_name.get(key)
        return stored.level if stored else None

    def _check_tree(self, row) -> None:
        """Below this federation without a cycle, and each level lower than its parent's."""
        root = name_key(self.root.name)
        if row.key != root:
            seen, key = {row.key}, row.record["_parent"]
            while key != root:
                if key in seen or key in (None, TOP):
                    row.errors["parent"] = _(
                        "The parents named in this file form a loop or lead outside this "
                        "federation."
                    )
                    return
                seen.add(key)
                key = self._final_parent(key)
        parent = row.record["_parent"]
        if parent and not _lower(self._level(row.key), self._level(parent)):
            row.errors["level"] = _(
                "The level must be lower than that of its parent %(parent)s (%(level)s)."
            ) % {"parent": self._name(parent), "level": self._level_label(parent)}
            return
        for child in self.by_name.values():  # stored children the file leaves where they are
            key = name_key(child.name)
            below = child.parent_id and key not in self.rows and self._final_parent(key) == row.key
            if below and not _lower(child.level, self._level(row.key)):
                row.errors["level"] = _(
                    "The level must be higher than that of %(child)s below it (%(level)s)."
                ) % {"child": child.name, "level": self._level_label(key)}
                return

    def _name(self, key: str | None) -> str:
        if not key:
            return ""
        row = self.rows.get(key)
        if row is not None:
            return row.record["name"]
        stored = self.by_name.get(key)
        return stored.name if stored else key

    def _level_label(self, key: str) -> str:
        return show(self.columns["level"], self._level(key))

    # -- the upsert ------------------------------------------------------------------------------
    def existing(self, ctx):
        return {key: f for key, f in self.by_name.items() if f.pk in self.editable}

    def values(self, ctx, row):
        rec = row.record
        return {
            f: rec.get(f, None if f == "founded_on" else "") for f in FIELDS if f in self.present
        }

    def apply(self, ctx, rows):
        # Parents first, so a child finds its parent stored (moved or new) before it.
        pending = list(rows)
        while pending:
            keys = {r.key for r in pending}
            ready = [r for r in pending if r.record["_parent"] not in keys] or pending[:1]
            for row in ready:
                self._write(ctx, row)
                pending.remove(row)

    def _write(self, ctx, row):
        values = dict(row.record["_values"])
        key = row.record["_parent"]
        parent = Federation.objects.get(pk=self.by_name[key].pk) if key else None
        if row.status == NEW:
            federation = registry_services.create_federation(
                {"name": row.record["name"], **values, "parent": parent},
                actor=ctx.user,
                note=self.note,
            )
        else:
            obj = Federation.objects.get(pk=row.record["_obj"].pk)  # its path may have moved
            if (obj.parent_id or None) != (parent.pk if parent else None):
                values["parent"] = parent
            federation = registry_services.update_federation(
                obj, values, actor=ctx.user, note=self.note
            )
        self.by_name[row.key] = federation


def _lower(level: str | None, than: str | None) -> bool:
    """``level`` is below ``than`` (unknown levels are not judged here)."""
    if level not in LEVELS or than not in LEVELS:
        return True
    return LEVELS.index(level) > LEVELS.index(than)
