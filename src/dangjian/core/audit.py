"""Writing the audit trail: field-level changes, business events and sensitive reads.

Services call ``snapshot`` before a change and ``record_change`` after it (``record_changes`` for
a bulk write). The request id and client address come from the middleware through a context
variable; a background task re-enters the request id of the action that queued it with
``context(request_id=...)``, so one queued import still shares one request id.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import decimal
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core import personal
from dangjian.core.events import AuditEvent, checked
from dangjian.core.models import AuditLog

__all__ = [
    "AuditEvent",
    "actor_words",
    "context",
    "current_request_id",
    "diff",
    "new_request_id",
    "record_change",
    "record_changes",
    "record_events",
    "Creations",
    "ABSENT",
    "record_creations",
    "record_event",
    "record_read",
    "record_rows",
    "record_signin",
    "snapshot",
]

request_context: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "audit_request", default=None
)

# Personal values are kept masked: which fields, and how, is core.personal's registry.
# Derived values are not the trail's: a meeting's stored minutes signature, digest and length
# follow from its minutes, which the trail keeps.
SKIPPED = {
    "id_number_hash",
    "id_suffix_hash",
    "updated_at",
    "created_at",
    "minutes_chars",
    "minutes_signature",
    "minutes_digest",
}


def new_request_id() -> str:
    return str(uuid.uuid4())


@contextlib.contextmanager
def context(*, request_id: str | None = None, ip: str | None = None) -> Iterator[str]:
    """Audit rows written inside carry this request id (a fresh one when empty) and address.

    The middleware wraps every request in it; a background task wraps its work in it with the
    request id its caller passed along (``current_request_id()`` at enqueue time).
    """
    request_id = request_id or new_request_id()
    token = request_context.set({"request_id": request_id, "ip": ip})
    try:
        yield request_id
    finally:
        request_context.reset(token)


def current_request_id() -> str:
    """The request id audit rows get now: pass it to a task so its rows share it."""
    ctx = request_context.get() or {}
    return str(ctx.get("request_id", ""))


def current_ip() -> str | None:
    """The client address audit rows get now (a task that acts for a click may pass it on)."""
    ctx = request_context.get() or {}
    return ctx.get("ip")


def enqueue_on_commit(task: Any, *args: Any, noted: Callable[[str], object] | None = None) -> None:
    """Put ``task`` on the queue with ``args`` and, last, the request id of the action that
    queued it — once the caller's transaction has committed, since a worker must find what
    it is given. ``noted(task id)`` keeps the id where the caller wants it."""
    request_id = current_request_id()

    def enqueue() -> None:
        result = task.enqueue(*args, request_id)
        if noted is not None:
            noted(str(result.id))

    transaction.on_commit(enqueue)


def _plain(value: Any) -> Any:
    if isinstance(
        value, datetime.date | datetime.datetime | datetime.time | decimal.Decimal | uuid.UUID
    ):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):
        return value.name
    return value


# Types _plain leaves as they are (None: nothing to do) or turns into text.
_BY_TYPE: dict[type, Any] = {
    str: None,
    int: None,
    bool: None,
    float: None,
    type(None): None,
    dict: None,
    datetime.date: str,
    datetime.datetime: str,
    decimal.Decimal: str,
    uuid.UUID: str,
}


def snapshot(obj: models.Model, *, m2m: bool = True) -> dict[str, Any]:
    """The object's concrete field values, personal fields masked, and its many-to-many links.

    Masked fields are those ``core.personal.FIELDS`` lists for the model (ID numbers, phones,
    secrets); names stay readable, as the trail must say whom a change was about.

    Links are the sorted primary keys of each many-to-many field (one query per field, unless
    prefetched); ``m2m=False`` leaves them out for bulk paths that never change links.
    """
    data: dict[str, Any] = {}
    maskers = personal.maskers(obj._meta.label_lower)
    by_type = _BY_TYPE
    for field in obj._meta.concrete_fields:
        if field.name in SKIPPED:
            continue
        value = getattr(obj, field.attname)
        # The common types through one lookup (a bulk update snapshots each object twice).
        convert = by_type.get(value.__class__, _plain)
        if convert is not None:
            value = convert(value)
        if field.name in maskers and value:
            value = maskers[field.name](str(value))
        data[field.name] = value
    if m2m and obj.pk is not None:
        prefetched = getattr(obj, "_prefetched_objects_cache", {})
        for m2m_field in obj._meta.many_to_many:
            name = m2m_field.name
            if name in prefetched:
                pks = [o.pk for o in prefetched[name]]
            else:
                pks = list(getattr(obj, name).values_list("pk", flat=True))
            data[name] = sorted(pks)
    return data


def _m2m_names(obj: models.Model) -> set[str]:
    return {f.name for f in obj._meta.many_to_many}


def _after(obj: models.Model, before: dict[str, Any]) -> dict[str, Any]:
    """Snapshot the object the way ``before`` was taken (with links only if it has them)."""
    names = _m2m_names(obj)
    return snapshot(obj, m2m=bool(names) and bool(names & before.keys()))


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        name: [before.get(name), after.get(name)]
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }


def acting_user(actor: Any) -> Any:
    """The actor as the user to store in a ``recorded_by`` / ``decided_by`` field: ``None`` for
    the system (a command, a task) and for an anonymous visitor (a public form)."""
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def actor_fields(actor: Any) -> dict[str, Any]:
    """``actor`` and ``actor_name`` of a record of who did something (the name is copied, so the
    record outlives the user)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor": None, "actor_name": "system" if actor is None else "anonymous"}
    return {"actor": actor, "actor_name": actor.get_username()}


def actor_words(log: AuditLog) -> str:
    """Who did it, as people read it: the name copied on the row, else 系统 for the system (a
    command, a task, the rules engine) and 访客 for an anonymous visitor (a public form)."""
    if log.actor_id is not None or log.actor_name not in ("system", "anonymous"):
        return log.actor_name
    return str(_("the system") if log.actor_name == "system" else _("a visitor"))


def _context() -> dict[str, Any]:
    ctx = request_context.get() or {}
    return {"request_id": ctx.get("request_id", ""), "ip_address": ctx.get("ip")}


def _update_row(
    obj: models.Model, changed: dict[str, list[Any]], note: str, fields: dict[str, Any]
) -> AuditLog:
    return AuditLog(
        action=AuditLog.Action.UPDATE,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes={"fields": changed},
        note=note,
        **fields,
    )


def record_change(
    actor: Any,
    obj: models.Model,
    before: dict[str, Any] | None,
    *,
    deleted: bool = False,
    note: str = "",
) -> AuditLog | None:
    """Record a create (before is None), an update, or a delete (deleted=True).

    An update with no changed field and no link change is recorded only when it has a note
    (the note says what happened, e.g. a correction that kept the text).
    """
    if deleted:
        action, changes = AuditLog.Action.DELETE, {"before": before or snapshot(obj)}
    elif before is None:
        action, changes = AuditLog.Action.CREATE, {"after": snapshot(obj)}
    else:
        changed = diff(before, _after(obj, before))
        if not changed and not note:
            return None
        row = _update_row(obj, changed, note, {**actor_fields(actor), **_context()})
        row.save()
        return row
    return AuditLog.objects.create(
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes=changes,
        note=note,
        **actor_fields(actor),
        **_context(),
    )


def record_changes(
    actor: Any,
    pairs: Iterable[tuple[models.Model, dict[str, Any]]],
    *,
    note: str = "",
    always: bool = False,
) -> int:
    """Record many updates at once: one row per ``(obj, before)`` pair whose object changed.

    For bulk writes (ledger imports): the rows go in through ``core.bulk`` (no model instance
    per row; 100,000 updated members took 14 s through ``bulk_create``) and, unlike
    ``record_change``, an unchanged object gets no row even with a note (the note names the
    import, not a change) — unless ``always``: the caller passes only objects it changed, and
    each gets its row with the note even where the trail's values compare equal (a phone
    changed within its masked digits), as ``record_change`` writes it. Returns the number of
    rows written.
    """
    from dangjian.core import bulk

    who = actor_fields(actor)
    ctx = _context()
    actor_id = who["actor"].pk if who["actor"] is not None else None
    head = (
        timezone.now(),
        actor_id,
        who["actor_name"],
        ctx["request_id"],
        ctx["ip_address"],
        AuditLog.Action.UPDATE.value,
        "",
    )
    pairs = list(pairs)
    # Each record names its object (``str``: an employment is "member @ unit"): the objects
    # those names read are loaded first, each once, not two queries a record.
    bulk.load_referred([obj for obj, _before in pairs])
    rows = []
    for obj, before in pairs:
        changed = diff(before, _after(obj, before))
        if changed or (always and note):
            label, shown = obj._meta.label_lower, str(obj)[:200]
            rows.append((*head, label, str(obj.pk), shown, {"fields": changed}, note))
    bulk.insert(AuditLog, TRAIL_COLUMNS, rows)
    return len(rows)


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()  # a field a row of :class:`Creations` does not have


@dataclass
class Creations:
    """Created rows given column by column (the ledger import's new members), for
    ``record_creations``: ``pks`` and ``reprs`` one per row; ``fields`` maps each field name to
    one value per row, :data:`ABSENT` where a row has no such field. The ``after`` of a row
    lists its fields in the order of ``fields``."""

    pks: Sequence[Any]
    reprs: Sequence[Any]
    fields: dict[str, Sequence[Any]]


def record_creations(
    actor: Any,
    label: str,
    created: Iterable[tuple[Any, str, dict[str, Any]]] | Creations,
    *,
    note: str = "",
) -> int:
    """Record many creations at once, as ``record_change(actor, obj, None)`` records one: a
    ``create`` row per ``(pk, repr, values)`` of model ``label`` ("party.partymember"), its
    ``after`` the values with the personal fields masked (``core.personal``). The same rows
    may come as :class:`Creations`, column by column.

    For raw bulk inserts that build no model instance (the ledger import's new members): the
    values are the inserted columns by field name. The rows go in through ``core.bulk`` (one
    statement per call, no model instance per row), so a 100,000-row import keeps its speed.
    Returns the number of rows written.
    """
    from dangjian.core import bulk

    if isinstance(created, Creations):
        pks, shown = list(created.pks), list(created.reprs)
        groups = _column_groups(created.fields, len(pks))
    else:
        items = list(created)
        pks, shown, values = (list(c) for c in zip(*items, strict=True)) if items else ([], [], [])
        groups = _row_groups(values)
    if not pks:
        return 0
    who = actor_fields(actor)
    ctx = _context()
    actor_id = who["actor"].pk if who["actor"] is not None else None
    common = (timezone.now(), actor_id, who["actor_name"], ctx["request_id"], ctx["ip_address"])
    maskers = personal.maskers(label)
    # Column by column (this runs for every imported cell): each field's values are converted,
    # masked and written as JSON in one pass (once per distinct value: genders, dates and
    # units repeat), and each row's ``changes`` is joined from its pieces: the text
    # ``json.dumps`` would give, without building a dict per row and encoding it again.
    encode = bulk.json_encoder(AuditLog._meta.get_field("changes"))
    changes: list[Any] = [None] * len(pks)
    for positions, names, columns in groups:
        keys = [encode(str(name)) + ": " for name in names]
        pieces = []
        for name, raw in zip(names, columns, strict=True):
            column = _plain_column(raw)
            mask = maskers.get(name)
            if mask is not None:
                column = [mask(str(v)) if v else v for v in column]
            pieces.append(_encoded_column(column, encode))
        # One %-template per shape: each row's text in one C-level formatting of its pieces.
        template = '{"after": {' + _template(keys) + "}}"
        texts: Iterable[str] = (
            map(template.__mod__, zip(*pieces, strict=True))
            if names
            else ('{"after": {}}' for _i in positions)
        )
        for i, text in zip(positions, texts, strict=True):
            changes[i] = text
    head = (*common, AuditLog.Action.CREATE.value, "", label)
    rows_out = [
        (*head, pk, repr_[:200], text, note)
        for pk, repr_, text in zip(map(str, pks), map(str, shown), changes, strict=True)
    ]
    bulk.insert(AuditLog, TRAIL_COLUMNS, rows_out, encoded=["changes"])
    return len(rows_out)


# (row positions, field names, one list of values per field) of rows that share their fields
_Group = tuple[Sequence[int], list[str], list[list[Any]]]


def _row_groups(values: list[dict[str, Any]]) -> list[_Group]:
    shapes: dict[tuple[str, ...], list[int]] = {}
    for i, row in enumerate(values):
        shapes.setdefault(tuple(row), []).append(i)
    groups: list[_Group] = []
    for names, positions in shapes.items():
        rows = values if len(positions) == len(values) else [values[i] for i in positions]
        groups.append((positions, list(names), [[row[name] for row in rows] for name in names]))
    return groups


def _column_groups(fields: dict[str, Sequence[Any]], count: int) -> list[_Group]:
    names = list(fields)
    columns = [list(fields[name]) for name in names]
    if any(len(column) != count for column in columns):
        raise ValueError("every field needs one value per created row")
    gappy = [k for k, column in enumerate(columns) if ABSENT in column]
    if not gappy:
        return [(range(count), names, columns)]
    shapes: dict[tuple[bool, ...], list[int]] = {}
    present = zip(*([v is not ABSENT for v in columns[k]] for k in gappy), strict=True)
    for i, key in enumerate(present):
        shapes.setdefault(key, []).append(i)
    groups: list[_Group] = []
    for key, positions in shapes.items():
        absent = {gappy[j] for j, there in enumerate(key) if not there}
        kept = [k for k in range(len(names)) if k not in absent]
        groups.append(
            (
                positions,
                [names[k] for k in kept],
                [[columns[k][i] for i in positions] for k in kept],
            )
        )
    return groups


def _encoded_column(column: list[Any], encode: Any) -> list[str]:
    """``encode`` of each value, once per distinct value where equality is identity of the
    JSON (text, or one of bool / int: ``True == 1`` but they encode apart)."""
    kinds = {v.__class__ for v in column}
    if kinds <= {str, type(None)} or kinds <= {bool, type(None)} or kinds <= {int, type(None)}:
        memo = {v: encode(v) for v in set(column)}
        return [memo[v] for v in column]
    if kinds == {dict}:  # a nested record (a new member's first employment): the same way
        return _encoded_objects(column, encode)
    return [encode(v) for v in column]


def _encoded_objects(objects: list[dict[str, Any]], encode: Any) -> list[str]:
    """``encode`` of each dict, built column by column as ``record_creations`` does."""
    out: list[str] = [""] * len(objects)
    shapes: dict[tuple[Any, ...], list[int]] = {}
    for i, obj in enumerate(objects):
        shapes.setdefault(tuple(obj), []).append(i)
    for names, positions in shapes.items():
        if not names or not all(name.__class__ is str for name in names):
            for i in positions:  # json.dumps turns non-text keys into text its own way
                out[i] = encode(objects[i])
            continue
        template = "{" + _template([encode(name) + ": " for name in names]) + "}"
        pieces = [_encoded_column([objects[i][name] for i in positions], encode) for name in names]
        for i, text in zip(
            positions, map(template.__mod__, zip(*pieces, strict=True)), strict=True
        ):
            out[i] = text
    return out


def _template(keys: list[str]) -> str:
    """``"k1": %s, "k2": %s`` for the encoded keys (each ending in ": "): joined with a row's
    encoded values by one ``%``, the text ``", ".join(key + value …)`` gives."""
    return ", ".join(key.replace("%", "%%") + "%s" for key in keys)


def _plain_column(column: list[Any]) -> list[Any]:
    """``_plain`` of each value of a column, through ``_BY_TYPE`` (one conversion per distinct
    date: a column of dates repeats them)."""
    kinds = {v.__class__ for v in column}
    converts = {kind: _BY_TYPE.get(kind, _plain) for kind in kinds}
    if all(c is None for c in converts.values()):
        return column
    if kinds <= _DATES:
        seen = {v: str(v) for v in set(column) if v is not None}
        return [None if v is None else seen[v] for v in column]
    return [v if (c := converts[v.__class__]) is None else c(v) for v in column]


_DATES = {datetime.date, type(None)}


# The columns record_creations and record_changes write, in this order (the id is the
# database's).
TRAIL_COLUMNS = [
    "at",
    "actor",
    "actor_name",
    "request_id",
    "ip_address",
    "action",
    "event_type",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "note",
]


def record_event(
    actor: Any,
    event_type: AuditEvent | str,
    obj: models.Model | None = None,
    note: str = "",
    **data: Any,
) -> AuditLog:
    """A business event from the catalogue (``AuditEvent.BRANCH_FORMED``); unknown names raise."""
    return AuditLog.objects.create(
        action=AuditLog.Action.EVENT,
        event_type=checked(event_type),
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        changes=data,
        note=note,
        **actor_fields(actor),
        **_context(),
    )


def record_events(
    actor: Any,
    event_type: AuditEvent | str,
    items: Iterable[tuple[models.Model, dict[str, Any]]],
    *,
    note: str = "",
) -> int:
    """``record_event`` for many objects at once — an ``(obj, data)`` pair each — written
    through ``core.bulk`` (no model instance per record): the same rows, for bulk services
    that keep one event per object (a whole federation's members moved by an import).
    Returns the number of rows written."""
    from dangjian.core import bulk

    who = actor_fields(actor)
    ctx = _context()
    head = (
        timezone.now(),
        who["actor"].pk if who["actor"] is not None else None,
        who["actor_name"],
        ctx["request_id"],
        ctx["ip_address"],
        AuditLog.Action.EVENT.value,
        checked(event_type),
    )
    rows = [
        (*head, obj._meta.label_lower, str(obj.pk), str(obj)[:200], data, note)
        for obj, data in items
    ]
    bulk.insert(AuditLog, TRAIL_COLUMNS, rows)
    return len(rows)


def row_values(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The values of ``fields`` of a row as ``record_rows`` compares them (plain, personal
    fields masked); a row not written yet is built unsaved and read the same way."""
    maskers = personal.maskers(obj._meta.label_lower)
    values = {}
    attnames = {f.name: f.attname for f in obj._meta.concrete_fields}
    for name in fields:
        value = _plain(getattr(obj, attnames[name]))
        if name in maskers and value:
            value = maskers[name](str(value))
        values[name] = value
    return values


def record_rows(
    actor: Any,
    event_type: AuditEvent | str,
    obj: models.Model,
    label: str,
    rows: Iterable[tuple[Any, str, dict[str, Any] | None, dict[str, Any] | None]],
    *,
    note: str = "",
    **data: Any,
) -> AuditLog | None:
    """One event on ``obj`` for changes to many of its rows of model ``label``
    ("orglife.attendance": a meeting's attendance written at once), instead of a record per
    row: each ``(key, repr, before, after)`` — ``before`` None for a row made, ``after`` None
    for one removed, values from ``row_values`` — whose values differ is listed under
    ``changes["rows_changed"]`` with the fields that changed, before → after. The audit page shows a
    line per row (``access.audit_words``). Nothing is recorded when no row changed."""
    listed = []
    for key, shown, before, after in rows:
        before_values, after_values = before or {}, after or {}
        fields = {
            name: [before_values.get(name), after_values.get(name)]
            for name in (*before_values, *(n for n in after_values if n not in before_values))
            if before is None or after is None or before_values.get(name) != after_values.get(name)
        }
        if before is not None and after is not None and not fields:
            continue
        listed.append({"id": _plain(key), "object": str(shown)[:200], "fields": fields})
    if not listed:
        return None
    return record_event(
        actor,
        event_type,
        obj,
        note=note,
        rows_changed={"model": label, "changes": listed},
        **data,
    )


def record_read(
    actor: Any,
    what: AuditEvent | str,
    obj: models.Model | None = None,
    note: str = "",
    **data: Any,
) -> AuditLog:
    """A sensitive read: an unmasked ID number, an export of personal data, a file download."""
    return AuditLog.objects.create(
        action=AuditLog.Action.READ,
        event_type=checked(what),
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        changes=data,
        note=note,
        **actor_fields(actor),
        **_context(),
    )


def record_signin(user: Any, what: AuditEvent | str) -> AuditLog:
    """Sign-in and sign-out, under their own action so the trail can be filtered by them."""
    return AuditLog.objects.create(
        action=AuditLog.Action.SIGNIN,
        event_type=checked(what),
        object_type=user._meta.label_lower,
        object_id=str(user.pk),
        object_repr=str(user)[:200],
        **actor_fields(user),
        **_context(),
    )
