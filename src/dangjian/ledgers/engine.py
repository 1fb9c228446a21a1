"""Validate → classify → (optionally) write, chunk by chunk, for every ledger.

``run(table, handler, ctx)`` streams the table's rows in chunks; each row is parsed column by
column (``cells``), checked across columns and against the database (``Handler.check``), then
the chunk is classified new / changed / unchanged against what is stored (``Handler.classify``)
and, when committing, written (``Handler.apply``). Memory is bounded by the chunk, not the file:
only the invalid rows' messages, the counts and a sample of the changes are kept.
"""

from __future__ import annotations

import datetime
import gc
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from itertools import islice
from operator import itemgetter
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.process import ProcessSetting
from dangjian.ledgers import cells, specs

NEW, CHANGED, UNCHANGED, INVALID = "new", "changed", "unchanged", "invalid"
SAMPLE_CHANGES = 200


class Cancelled(Exception):
    pass


class Rollback(Exception):
    """Raised inside the commit transaction to undo an all-or-nothing import with errors."""


@dataclass
class Context:
    federation: object
    user: object = None  # None: the command line (every unit of the federation)
    today: datetime.date = field(default_factory=timezone.localdate)
    commit: bool = False
    valid_only: bool = False
    progress: Callable[[int], None] | None = None
    cancelled: Callable[[], bool] | None = None
    now: datetime.datetime = field(default_factory=timezone.now)


class Row:
    """One data row of the file: its clean values (``record``) and problems (``errors``)."""

    __slots__ = ("number", "record", "errors", "status", "label", "changes", "key")

    def __init__(self, number: int, record: dict, errors: dict | None = None):
        self.number = number
        self.record = record
        self.errors = {} if errors is None else errors  # column key → message
        self.status = ""
        self.label = ""
        self.changes: dict[str, list] = {}  # header → [old, new]
        self.key = None

    def __repr__(self):  # no values: they may be personal data
        return f"<Row {self.number} {self.status or '-'} errors={sorted(self.errors)}>"


@dataclass
class Outcome:
    ledger: str
    counts: dict = field(default_factory=lambda: {NEW: 0, CHANGED: 0, UNCHANGED: 0, INVALID: 0})
    errors: list = field(default_factory=list)  # (row number, {column key: message})
    changes: list = field(default_factory=list)  # sample: (row, label, status, {header: [o, n]})
    notices: list = field(default_factory=list)
    rows: int = 0
    written: bool = False

    @property
    def nothing_to_do(self) -> bool:
        return self.counts[NEW] == 0 and self.counts[CHANGED] == 0

    def as_json(self) -> dict:
        return {
            "counts": self.counts,
            "rows": self.rows,
            "changes": self.changes,
            "errors": [[n, e] for n, e in self.errors[:500]],
            "error_rows": len(self.errors),
            "notices": self.notices,
        }


def parsers_for(ledger: specs.Ledger, mapping: dict[int, str]) -> list[ColumnParser]:
    """One :class:`ColumnParser` per mapped column, in file order."""
    return [ColumnParser(index, ledger.column(key)) for index, key in sorted(mapping.items())]


MEMO_LIMIT = 50_000
_MISS = object()
# Raw values that can key the memo as they are: no two of these types compare equal. Numbers
# (1 == 1.0 == True, yet a whole-number column refuses True) are keyed with their type.
_DIRECT_KEYS = frozenset([str, datetime.date, datetime.datetime, type(None)])


class ColumnParser:
    """Parses one column of a chunk at a time: ``parse(raws)`` → clean values, with a
    :class:`cells.CellError` in place of each cell that cannot be read.

    Pure parsers are memoised by raw value for the whole import: credit codes, choices, dates
    and yes/no repeat thousands of times in a large ledger, so most cells cost one dict lookup
    (done in a list comprehension, not a Python call per cell). ID numbers, names and phones
    are (nearly) unique per row and are parsed directly.
    """

    __slots__ = ("index", "key", "required", "one", "memo", "memo_has_errors")

    def __init__(self, index: int, column: specs.Column):
        self.index, self.key, self.required = index, column.key, column.required
        self.one = _never_raising(_plain_parser(column), column.required)
        # raw value (or (type, value)) → clean value or CellError; None: not memoised
        self.memo: dict[Any, Any] | None = (
            None if column.kind in ("id_number", "name", "phone") else {}
        )
        self.memo_has_errors = False

    # (index, key, parse, required), as the plan's entries were before (benchmarks, tests)
    def __iter__(self):
        yield from (self.index, self.key, self.one, self.required)

    def parse(self, raws: list) -> tuple[list, list[int]]:
        """(values, positions of the cells that failed)."""
        one, memo = self.one, self.memo
        if memo is None:
            out = [one(v) for v in raws]
            return out, [i for i, v in enumerate(out) if v.__class__ is cells.CellError]
        get, direct = memo.get, _DIRECT_KEYS
        out = [get(v, _MISS) if v.__class__ in direct else _MISS for v in raws]
        missed = [i for i, v in enumerate(out) if v is _MISS]
        if len(memo) + len(missed) > MEMO_LIMIT:
            memo.clear()
            self.memo_has_errors = False
        errors = []
        for i in missed:
            raw = raws[i]
            key = raw if raw.__class__ in direct else (raw.__class__, raw)
            try:
                value = memo[key]
            except KeyError:
                value = one(raw)
                memo[key] = value
            except TypeError:  # unhashable: never from calamine or csv, but be safe
                value = one(raw)
            if value.__class__ is cells.CellError:
                self.memo_has_errors = True
                errors.append(i)
            out[i] = value
        if self.memo_has_errors:
            errors = [i for i, v in enumerate(out) if v.__class__ is cells.CellError]
        return out, errors


def _never_raising(parse, required: bool):
    """``parse`` returning the :class:`cells.CellError` instead of raising it."""
    is_blank = cells.is_blank
    if required:
        message = _("This column is required.")

        def one(value):
            if is_blank(value):
                return cells.CellError(message)
            try:
                return parse(value)
            except cells.CellError as exc:
                return exc

    else:

        def one(value):
            try:
                return parse(value)
            except cells.CellError as exc:
                return exc

    return one


def _plain_parser(column: specs.Column):
    kind = column.kind
    if kind in ("text", "name") and column.max_length:
        return _bounded_text(column.max_length)
    if kind == "choice":
        labels = column.labels()
        return lambda v: cells.choice(v, labels) if not cells.is_blank(v) else ""
    if kind == "date":
        return _bounded_date(column.bound)
    return {
        "text": cells.text,
        "name": cells.text,
        "uscc": lambda v: cells.uscc(v) if not cells.is_blank(v) else "",
        "id_number": cells.id_number,
        "phone": lambda v: cells.phone(v) if not cells.is_blank(v) else "",
        "date": cells.date,
        "bool": cells.boolean,
        "int": cells.integer,
        "month": cells.month,
        "money": cells.money,
    }[kind]


def _bounded_date(bound: str):
    """``cells.date`` with the bounds the forms apply (core.validators, their messages): not
    before 1900; a "party" date not before 1921-07-01; a "past" or "party" one not after today."""
    from django.core.exceptions import ValidationError

    from dangjian.core import validators

    earliest = (
        validators.party_date
        if bound == "party"
        else validators.not_before(validators.EARLIEST_DATE)
    )
    past = bound in ("past", "party")
    # Most days are plainly within the bounds: those skip the validators (whose "today" is a
    # time-zone conversion per call). Today as of the start of the import is a safe shortcut:
    # a day after it still goes through ``not_in_future``, which decides with the real today.
    lowest, today = earliest.earliest, timezone.localdate()

    def parse(value):
        day = cells.date(value)
        if day is None:
            return None
        if day.__class__ is datetime.date and lowest <= day and (not past or day <= today):
            return day
        try:
            earliest(day)
            if past:
                validators.not_in_future(day)
        except ValidationError as exc:
            raise cells.CellError(" ".join(exc.messages)) from None
        return day

    return parse


def _bounded_text(limit: int):
    def parse(value):
        text = cells.text(value)
        if len(text) > limit:
            raise cells.CellError(
                _("At most %(limit)d characters; this cell has %(length)d.")
                % {"limit": limit, "length": len(text)}
            )
        return text

    return parse


def parse_row(plan, values) -> tuple[dict, dict]:
    """One row alone (the engine parses whole chunks column by column: :func:`parse_chunk`)."""
    record, errors = {}, {}
    width = len(values)
    for column in plan:
        value = column.one(values[column.index] if column.index < width else "")
        if value.__class__ is cells.CellError:
            errors[column.key] = str(value)
        else:
            record[column.key] = value
    return record, errors


def parse_chunk(plan: list[ColumnParser], raw_rows: list[tuple[int, list]]) -> list[Row]:
    """Rows of (number, raw values) → :class:`Row` objects, parsing column by column."""
    if not raw_rows:
        return []
    need = max(c.index for c in plan) + 1 if plan else 0
    grid = [v if len(v) >= need else [*v, *[""] * (need - len(v))] for _n, v in raw_rows]
    keys = [c.key for c in plan]
    columns, failures = [], []
    for c in plan:
        values, failed = c.parse(list(map(itemgetter(c.index), grid)))  # the column, in C
        columns.append(values)
        if failed:
            failures.append((c.key, values, failed))
    if columns:
        records = map(dict, map(partial(zip, keys, strict=True), zip(*columns, strict=True)))
        rows = [Row(number, record) for (number, _v), record in zip(raw_rows, records, strict=True)]
    else:
        rows = [Row(number, {}) for number, _v in raw_rows]
    for key, values, failed in failures:
        for i in failed:
            row = rows[i]
            del row.record[key]
            row.errors[key] = str(values[i])
    return rows


GC_GEN0_THRESHOLD = 50_000
_gc_thresholds = ProcessSetting(gc.get_threshold, lambda thresholds: gc.set_threshold(*thresholds))


def fewer_collections(gen0: int = GC_GEN0_THRESHOLD):
    """Collect cyclic garbage less often while an import runs (restored afterwards).

    An import allocates millions of small containers (rows, records, tuples) that are freed by
    reference counting, not by the cycle collector; with CPython's default threshold of 700 the
    collector still ran ~1,700 times over a 100,000-row import, walking every live object,
    and took 17 % of its time (0.9 s of 5.4 s). With 50,000 it runs about once; the peak memory
    measured the same. Nested and concurrent imports in one process share the setting: the
    first one in saves the thresholds, the last one out restores them.
    """
    return _gc_thresholds.changed(lambda saved: (max(gen0, saved[0]), *saved[1:]))


def run(
    table, handler, ctx: Context, chunk_size: int | None = None, *, keep=None, kept=None
) -> Outcome:
    with fewer_collections():
        return _run(table, handler, ctx, chunk_size, keep=keep, kept=kept)


def _run(table, handler, ctx: Context, chunk_size, *, keep, kept) -> Outcome:
    """Validate every row; with ``ctx.commit`` also write (the caller holds the transaction).

    ``keep`` (a ``kept.Writer``) receives each parsed chunk; ``kept`` (chunks of parsed
    :class:`Row` objects from an earlier check of the same file, see ``ledgers.kept``) replaces
    reading and parsing the file. The handler's checks against the database run either way.
    """
    ledger = specs.LEDGERS[handler.ledger]
    missing = [
        c.header
        for c in ledger.columns
        if c.required and c.key not in table.header.mapping.values()
    ]
    outcome = Outcome(handler.ledger)
    if missing and not handler.required_alternatives(set(table.header.mapping.values())):
        outcome.notices.append(
            _("Required columns are missing from the file: %(cols)s.")
            % {"cols": "、".join(missing)}
        )
        outcome.errors.append((table.header.row_index + 1, {"_": outcome.notices[-1]}))
        outcome.counts[INVALID] += 1
        return outcome
    plan = parsers_for(ledger, table.header.mapping)
    handler.load(ctx, set(table.header.mapping.values()))
    with handler.writing(ctx):
        if kept is not None:
            for rows in kept:
                _process(rows, handler, ctx, outcome)
        else:
            size = chunk_size or handler.chunk_size
            rows = table.rows()
            while chunk := list(islice(rows, size)):  # a chunk at a time, collected in C
                _parsed(_marked(parse_chunk(plan, chunk), table), handler, ctx, outcome, keep)
    if table.notes:
        shown = "、".join(str(n) for n in table.notes[:10]) + ("…" if len(table.notes) > 10 else "")
        outcome.notices.append(
            _(
                "Rows %(rows)s come after an empty row and hold only notes (such as 填表说明); "
                "they were not read as data."
            )
            % {"rows": shown}
        )
    if table.truncated_blank:
        outcome.notices.append(
            _("Reading stopped after %(n)d empty rows in a row; rows below them were ignored.")
            % {"n": 500}
        )
    return outcome


def _marked(rows: list[Row], table) -> list[Row]:
    """A note-like row with data rows below it (``reader.Table.rows``) gets one clear error
    instead of the cell errors of a row read as data."""
    if table.stray_notes:
        message = _(
            "This row comes after an empty row and looks like a note, but data rows follow it. "
            "Delete it, or move the notes below the last data row."
        )
        for row in rows:
            if row.number in table.stray_notes:
                row.record, row.errors = {}, {"_": message}
    return rows


def _parsed(rows: list[Row], handler, ctx: Context, outcome: Outcome, keep) -> None:
    if keep is not None:
        keep.add(rows)
    _process(rows, handler, ctx, outcome)


def _process(chunk: list[Row], handler, ctx: Context, outcome: Outcome) -> None:
    if ctx.cancelled and ctx.cancelled():
        raise Cancelled
    handler.prepare(ctx, chunk)
    check = handler.check
    for row in chunk:
        if "_" not in row.errors:  # a whole-row error says all there is to say
            check(ctx, row)
    valid = [row for row in chunk if not row.errors]
    handler.classify(ctx, valid)
    counts, errors, changes = outcome.counts, outcome.errors, outcome.changes
    outcome.rows += len(chunk)
    for row in chunk:
        if row.errors:
            row.status = INVALID
            errors.append((row.number, row.errors))
        status = row.status
        counts[status] += 1
        if status in (NEW, CHANGED) and len(changes) < SAMPLE_CHANGES:
            changes.append([row.number, row.label, status, row.changes])
    if ctx.commit and (ctx.valid_only or not outcome.errors):
        handler.apply(ctx, [row for row in valid if row.status in (NEW, CHANGED)])
        outcome.written = True
    if ctx.progress:
        ctx.progress(outcome.rows)
