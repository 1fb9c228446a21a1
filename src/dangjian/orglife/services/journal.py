"""Every meeting writer tells the journal of touched subjects (``core.touch``) which party
organization's meetings changed, so the rules re-evaluate that organization alone, and
recounts its meetings per year (``period_counts.recount``) and the latest meeting with
its attendance recorded (``contact.records_changed``). Called by
``settle`` (every write that derives a meeting's numbers), by the plan, delete and bulk paths,
and — with the organization it had before — by an edit that moves a meeting. A new meeting
writer calls ``meetings_changed`` too, after its write (``tests/orglife/test_period_counts.py``
and ``tests/rules/test_incremental.py`` check the usual paths)."""

from __future__ import annotations

from collections.abc import Iterable

from dangjian.core import touch
from dangjian.orglife.services.contact import records_changed
from dangjian.orglife.services.period_counts import recount

FACT = "orglife.Meeting"


def meetings_changed(party_organization_ids: Iterable[int | None]) -> None:
    """Call after the write (in its transaction): the counts are recomputed from the rows."""
    ids = {pk for pk in party_organization_ids if pk}
    recount(ids)
    records_changed(ids)
    touch.mark_many(FACT, [(pk, None, None) for pk in ids])
