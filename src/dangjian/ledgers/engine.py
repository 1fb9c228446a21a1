"""Validate → classify → (optionally) write, chunk by chunk, for every ledger.

``run(table, handler, ctx)`` streams the table's rows in chunks; each row is parsed column by
column (``cells``), checked across columns and against the database (``Handler.check``), then
the chunk is classified new / changed / unchanged against what is stored (``Handler.classify``)
and, when committing, written (``Handler.apply``). Memory is bounded by the chunk, not the file:
only the invalid rows' messages, the counts and a sample of the changes are kept.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

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


@dataclass
class Row:
    number: int
    record: dict
    errors: dict = field(default_factory=dict)  # column key → message
    status: str = ""
    label: str = ""
    changes: dict = field(default_factory=dict)  # header → [old, new]
    key: object = None


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


def parsers_for(ledger: specs.Ledger, mapping: dict[int, str]):
    """(column index, key, parse, required) for each mapped column, in file order."""
    plan = []
    for index, key in sorted(mapping.items()):
        column = ledger.column(key)
        plan.append((index, key, _parser(column), column.required))
    return plan


def _parser(column: specs.Column):
    parse = _plain_parser(column)
    if column.kind in ("id_number", "text", "name"):
        return parse  # unique per row, or already cheap
    return _memoized(parse)


MEMO_LIMIT = 50_000


def _memoized(parse):
    """Cache a pure cell parser by raw value: credit codes, choices, dates and yes/no repeat
    thousands of times in a large ledger (the credit-code validator alone costs ~80 µs)."""
    memo: dict = {}

    def cached(value):
        key = (type(value), value)
        try:
            hit = memo[key]
        except KeyError:
            try:
                hit = (True, parse(value))
            except cells.CellError as exc:
                hit = (False, str(exc))
            except TypeError:  # unhashable: never from calamine or csv, but be safe
                return parse(value)
            if len(memo) >= MEMO_LIMIT:
                memo.clear()
            memo[key] = hit
        if hit[0]:
            return hit[1]
        raise cells.CellError(hit[1])

    return cached


def _plain_parser(column: specs.Column):
    kind = column.kind
    if kind == "choice":
        labels = column.labels()
        return lambda v: cells.choice(v, labels) if not cells.is_blank(v) else ""
    return {
        "text": cells.text,
        "name": cells.text,
        "uscc": lambda v: cells.uscc(v) if not cells.is_blank(v) else "",
        "id_number": cells.id_number,
        "phone": lambda v: cells.phone(v) if not cells.is_blank(v) else "",
        "date": cells.date,
        "bool": cells.boolean,
        "int": cells.integer,
    }[kind]


def parse_row(plan, values) -> tuple[dict, dict]:
    record, errors = {}, {}
    width = len(values)
    for index, key, parse, required in plan:
        raw = values[index] if index < width else ""
        if required and cells.is_blank(raw):
            errors[key] = _("This column is required.")
            continue
        try:
            record[key] = parse(raw)
        except cells.CellError as exc:
            errors[key] = str(exc)
    return record, errors


def run(table, handler, ctx: Context, chunk_size: int | None = None) -> Outcome:
    """Validate every row; with ``ctx.commit`` also write (the caller holds the transaction)."""
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
    size = chunk_size or handler.chunk_size
    chunk: list[Row] = []
    for number, values in table.rows():
        record, errors = parse_row(plan, values)
        chunk.append(Row(number, record, errors))
        if len(chunk) >= size:
            _process(chunk, handler, ctx, outcome)
            chunk = []
    if chunk:
        _process(chunk, handler, ctx, outcome)
    if table.truncated_blank:
        outcome.notices.append(
            _("Reading stopped after %(n)d empty rows in a row; rows below them were ignored.")
            % {"n": 500}
        )
    return outcome


def _process(chunk: list[Row], handler, ctx: Context, outcome: Outcome) -> None:
    if ctx.cancelled and ctx.cancelled():
        raise Cancelled
    for row in chunk:
        handler.check(ctx, row)
    valid = [row for row in chunk if not row.errors]
    handler.classify(ctx, valid)
    for row in chunk:
        outcome.rows += 1
        if row.errors:
            row.status = INVALID
            outcome.errors.append((row.number, row.errors))
        outcome.counts[row.status] += 1
        if row.status in (NEW, CHANGED) and len(outcome.changes) < SAMPLE_CHANGES:
            outcome.changes.append([row.number, row.label, row.status, row.changes])
    if ctx.commit and (ctx.valid_only or not outcome.errors):
        handler.apply(ctx, [row for row in valid if row.status in (NEW, CHANGED)])
        outcome.written = True
    if ctx.progress:
        ctx.progress(outcome.rows)
