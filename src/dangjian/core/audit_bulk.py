"""Writing the audit trail in bulk: the rows ``core.audit``'s single recorders write, for
many objects at once and through ``core.bulk`` (one statement a batch, no model instance per
record), so a 100,000-row ledger import or a federation-wide move keeps its speed.

``record_changes`` is ``record_change`` for updates, ``record_creations`` for creations that
built no model instance, ``record_events`` is ``record_event``; each writes the same row its
single counterpart would (the audit page cannot tell them apart).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone

from dangjian.core import bulk, personal
from dangjian.core.audit import (
    PLAIN_BY_TYPE,
    actor_fields,
    after_snapshot,
    diff,
    plain,
    request_fields,
)
from dangjian.core.events import AuditEvent, checked
from dangjian.core.models import AuditLog

__all__ = [
    "ABSENT",
    "TRAIL_COLUMNS",
    "Creations",
    "record_changes",
    "record_creations",
    "record_events",
]


def _who_when(actor: Any) -> tuple[Any, ...]:
    """The first columns of ``TRAIL_COLUMNS`` every record of one call shares: when, who (the
    user's id and copied name, as ``actor_fields`` gives them) and the request's id and
    address."""
    who, ctx = actor_fields(actor), request_fields()
    actor_id = who["actor"].pk if who["actor"] is not None else None
    return (timezone.now(), actor_id, who["actor_name"], ctx["request_id"], ctx["ip_address"])


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
    head = (*_who_when(actor), AuditLog.Action.UPDATE.value, "")
    pairs = list(pairs)
    # Each record names its object (``str``: an employment is "member @ unit"): the objects
    # those names read are loaded first, each once, not two queries a record.
    bulk.load_referred([obj for obj, _before in pairs])
    rows = []
    for obj, before in pairs:
        changed = diff(before, after_snapshot(obj, before))
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
    if isinstance(created, Creations):
        pks, shown = list(created.pks), list(created.reprs)
        groups = _column_groups(created.fields, len(pks))
    else:
        items = list(created)
        pks, shown, values = (list(c) for c in zip(*items, strict=True)) if items else ([], [], [])
        groups = _row_groups(values)
    if not pks:
        return 0
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
    head = (*_who_when(actor), AuditLog.Action.CREATE.value, "", label)
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
    """``plain`` of each value of a column, through ``PLAIN_BY_TYPE`` (one conversion per distinct
    date: a column of dates repeats them)."""
    kinds = {v.__class__ for v in column}
    converts = {kind: PLAIN_BY_TYPE.get(kind, plain) for kind in kinds}
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
    head = (*_who_when(actor), AuditLog.Action.EVENT.value, checked(event_type))
    rows = [
        (*head, obj._meta.label_lower, str(obj.pk), str(obj)[:200], data, note)
        for obj, data in items
    ]
    bulk.insert(AuditLog, TRAIL_COLUMNS, rows)
    return len(rows)
