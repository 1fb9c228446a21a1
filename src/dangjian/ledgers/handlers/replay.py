"""Ledgers whose rows depend on the rows before them (a recruitment step on the steps before
it, a second transfer on the first): each new row is played through the owning app's service
in date order, as the pages would have recorded it, each in its own savepoint — so a row the
service refuses carries the service's own message and nothing of it stays, and a later row
is judged on what the earlier rows recorded.

The check (preview) plays the rows inside a transaction it then rolls back, so what it reports
is exactly what an import would do; the import plays them again for real inside the import's
transaction (``ledgers.services.commit``). A row already recorded is unchanged and not played.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.core.errors import WorkflowError
from dangjian.ledgers import cells
from dangjian.ledgers.engine import NEW, UNCHANGED
from dangjian.ledgers.handlers.base import Handler
from dangjian.party.models import PartyMember


class _Undo(Exception):
    pass


def refusal(exc: Exception) -> str:
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


class ReplayHandler(Handler):
    # One chunk for the whole file: a row may depend on any row before it in date order.
    # These ledgers are hundreds of rows, not the member ledger's hundreds of thousands.
    chunk_size = 1_000_000
    error_column = ""  # where a refusal of the service is written

    def same_name(self, row, member: int | None) -> None:
        """The row's name, when given, is the member's (a check that the ID number is right)."""
        name = cells.compact(row.record.get("name") or "")
        if member is None or not name:
            return
        actual = PartyMember.objects.filter(pk=member).values_list("name", flat=True).first()
        if actual != name:
            row.errors["name"] = _(
                "The name does not match the member with this ID number (%(name)s)."
            ) % {"name": actual}

    def order(self, row) -> tuple:
        """The order rows are played in (their dates, then the file's order)."""
        raise NotImplementedError

    def stored(self, ctx, row) -> bool:
        """Whether the row is already recorded as it is (unchanged); may set an error when it
        is recorded differently (an import does not change recorded history)."""
        raise NotImplementedError

    def play(self, ctx, row) -> str | None:
        """Record the row through the owning app's services (raise their errors); return
        ``CHANGED`` when it completed a stored fact rather than recording a new one."""
        raise NotImplementedError

    def classify(self, ctx, rows):
        fresh = []
        for row in rows:
            if self.stored(ctx, row):
                row.status = UNCHANGED
            elif not row.errors:
                fresh.append(row)
        if not fresh:
            return
        try:
            with transaction.atomic():
                self._play_all(ctx, fresh)
                if not ctx.commit:
                    raise _Undo
        except _Undo:
            pass

    def _play_all(self, ctx, rows) -> None:
        for row in sorted(rows, key=lambda r: (*self.order(r), r.number)):
            try:
                with transaction.atomic():
                    status = self.play(ctx, row) or NEW
            except (ValidationError, WorkflowError) as exc:
                row.errors[self.error_column] = refusal(exc)
                continue
            if row.errors:  # refused by the handler's own look-up before anything was written
                continue
            row.status = status
            row.changes = {
                self.columns[key].header: ["", self.display(key, self.columns[key], value)]
                for key, value in row.record.items()
                if key in self.columns and value not in ("", None)
            }

    def apply(self, ctx, rows):
        """Nothing left to write: the import's check played the rows for real (see above); a
        refused row kept nothing, and with errors the import's transaction is rolled back
        unless only the valid rows are imported."""
