"""The journal of touched subjects: which fact of which party organization, unit or member a
service changed, so that the rules re-evaluate only what a change can move.

A fact app whose every writer marks its changes here declares the fact *journaled*
(``JOURNALED``); the rules engine then leaves that fact's table out of its input digest and
reads this journal instead (``rules.engine``): a rule that reads the fact is re-evaluated for
the subjects touched since its last run, a rule that does not read it is not re-evaluated at
all. A fact that is not journaled keeps the digest: any change to it re-evaluates every rule.

Every writer of a journaled fact must call ``mark`` (or ``mark_many``) in the same
transaction as its write; a raw path that cannot say what it touched calls ``everything()``
(the next run is then a full one). After the transaction commits, ``listeners`` run (the rules
app follows the facts through one: ``rules.tasks.follow_facts``).

The one home of the journal: the kernel knows no domain model, so subjects are plain ids.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils import timezone

from dangjian.core.models import Touch

# Facts whose every writer marks its changes (model labels as ``Model._meta.label``).
JOURNALED: frozenset[str] = frozenset({"orglife.Meeting"})

# Called (no arguments) after a transaction that marked something commits.
listeners: list[Callable[[], None]] = []

Subject = tuple[int | None, int | None, int | None]  # (party organization, unit, member)
# A line saying "anything may have changed" (``everything``).
EVERYTHING = Touch.EVERYTHING


def mark(
    fact: str,
    *,
    party_organization: int | None = None,
    organization: int | None = None,
    member: int | None = None,
) -> None:
    """``fact`` of this subject changed (in the current transaction)."""
    mark_many(fact, [(party_organization, organization, member)])


def mark_many(fact: str, subjects: Iterable[Subject]) -> None:
    """``fact`` changed for each (party organization, unit, member) — one insert."""
    now = timezone.now()
    rows = [
        Touch(at=now, fact=fact, party_organization_id=p, organization_id=o, member_id=m)
        for p, o, m in dict.fromkeys(subjects)
    ]
    if not rows:
        return
    Touch.objects.bulk_create(rows, batch_size=500)
    _notify()


def everything() -> None:
    """Anything may have changed (a raw bulk path): the next run evaluates every rule."""
    Touch.objects.create(fact=EVERYTHING)
    _notify()


def latest() -> int:
    """The journal's last line (0 when empty): a run reads everything up to it."""
    return Touch.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def since(after: int, upto: int) -> dict[str, set[Subject]]:
    """{fact: {(party organization, unit, member)}} marked after line ``after`` up to ``upto``."""
    touched: dict[str, set[Subject]] = {}
    for fact, p, o, m in Touch.objects.filter(pk__gt=after, pk__lte=upto).values_list(
        "fact", "party_organization_id", "organization_id", "member_id"
    ):
        touched.setdefault(fact, set()).add((p, o, m))
    return touched


def prune(upto: int) -> int:
    """Forget the lines up to ``upto`` (every rule state has read past them)."""
    return Touch.objects.filter(pk__lte=upto).delete()[0]


def _notify() -> None:
    """Each listener once per transaction (and savepoint), however many marks it made."""
    connection = transaction.get_connection()
    here = set(connection.savepoint_ids)
    queued = {func for sids, func, *_ in connection.run_on_commit if set(sids) == here}
    for listener in listeners:
        if listener not in queued:
            transaction.on_commit(listener)
