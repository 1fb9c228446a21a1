"""The kept pairs of alike minutes (``orglife.MinutePair``): every two meetings whose minutes
(``KEPT_MIN_CHARS`` long or more) share a band (``orglife.MinuteBand``), whose fingerprints
agree enough and whose shingle sets are at least ``KEPT_FLOOR`` alike, measured exactly — what
``similarity.Table.pairs`` and ``similarity.measured`` would find among all the signed minutes. The near-duplicate rule judged
whole (``rules.kinds.integrity``) reads the pairs of its window's meetings from here instead of
pairing a year of signatures (at 100,000 units, 1.8 million of them and 11 million candidate
pairs), as the organizational-life rule reads the kept meeting counts.

Kept as the bands are: every writer of a signature calls ``bands.refresh``, which calls
``keep`` with the meetings whose bands it wrote (new, or changed); a meeting's pairs go with
it when it is deleted (``bands.forget``). ``rebuild`` pairs every signed meeting at once, from
their digests (the demo's raw writer, ``dangjian sign_minutes --pairs``, and the nightly job
once after the upgrade that adds the pairs) and reports what the kept pairs lacked or had too
many — the drift check. ``MinutePairing`` says for which shingle length they are complete; the
rule pairs the signatures itself without it, or with a threshold under the kept floor.

Two writers of minutes in two transactions would each miss the other's bands, not yet
committed, and so the pair between them: on PostgreSQL, ``keep`` and ``rebuild`` take one
advisory lock until their transaction ends, so that the second reads the bands after the
first committed (SQLite writes one transaction at a time anyway). A long writer — a ledger
import of meetings, one transaction from its first chunk to its commit — keeps them once, at
its end (``at_end``): taken at its first chunk, the lock would hold every secretary recording
minutes meanwhile until the import commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import BinaryField, Case, Q, When
from django.utils import timezone

from dangjian.core import bulk as core_bulk
from dangjian.core import touch
from dangjian.core.sql import chunks, chunks_of_rows
from dangjian.orglife import similarity
from dangjian.orglife.models import Meeting, MinuteBand, MinutePair, MinutePairing

# Pairs at least this alike are kept. A threshold under it (a federation's override; 80 % as
# shipped) makes the rule pair the signatures itself: lower, the honest minutes written from
# one template (alike at 10–40 %) pass the fingerprint filter by the million and would all be
# measured and kept.
KEPT_FLOOR = 0.7
# Of minutes at least this long (the rule's ``min_chars`` as shipped): short notes repeat by
# nature — at the demo's small size, 2,685 minutes of 22–24 characters made 3.6 million pairs
# alike. A shorter ``min_chars`` makes the rule pair the signatures itself too.
KEPT_MIN_CHARS = 120
# PostgreSQL's advisory lock key for the writers of pairs ("minp").
LOCK = 0x6D696E70
CHUNK = 500


def minutes_of(ids: list[int]) -> dict[int, str]:
    """{meeting: its minutes} (what ``similarity.measured`` rereads)."""
    result: dict[int, str] = {}
    for chunk in chunks(ids, CHUNK):
        result.update(Meeting.objects.filter(pk__in=chunk).values_list("pk", "minutes"))
    return result


def _signature_if_undigested() -> Case:
    """The stored signature where the meeting has no digest, else nothing: the 1 KB is sent
    only where the 258-byte digest cannot serve."""
    return Case(
        When(minutes_digest__isnull=True, then="minutes_signature"), output_field=BinaryField()
    )


def table_of(meetings, k: int, min_chars: int) -> tuple[similarity.Table, list[int]]:
    """The signatures of ``meetings``' minutes of at least ``min_chars`` characters, in the
    compact form of ``similarity.Table`` (264 bytes a meeting, not the stored 1 KB), and the
    meetings whose minutes have none of shingle length ``k`` (the caller signs their text, or
    leaves them: they have no bands). The digests stored with the meetings when their minutes
    were written are taken as they are; the signatures of those signed before digests were
    stored are banded here, a chunk at a time — read only where the digest is missing."""
    rows = (
        meetings.exclude(minutes="")
        .filter(Q(minutes_chars__gte=min_chars) | Q(minutes_chars=0))
        .order_by()
        .values_list(
            "pk",
            "minutes_chars",
            "minutes_digest",
            _signature_if_undigested(),
        )
    )
    table, unsigned = similarity.Table(), []
    for read in chunks_of_rows(rows):
        digested, digests, keys, blobs = [], [], [], []
        for pk, chars, digest, blob in read:
            if chars >= min_chars and digest:
                digested.append(pk)
                digests.append(bytes(digest))
            elif chars >= min_chars and blob:
                keys.append(pk)
                blobs.append(bytes(blob))
            else:  # no length stored (written before signatures were) or no signature
                unsigned.append(pk)
        # Those of another scheme or shingle length come back with the unsigned.
        unsigned += table.add_digested(digested, digests, k)
        unsigned += table.add_signed(keys, blobs, k)
    return table, unsigned


def fingerprints(ids: Iterable[int], k: int, min_chars: int = 0) -> dict[int, int]:
    """{meeting: its fingerprint} (``similarity.stored_print``) of those signed with shingle
    length ``k`` (of minutes at least ``min_chars`` long): from the digest, or the signature
    where it has none."""
    prints: dict[int, int] = {}
    rows = (
        Meeting.objects.filter(minutes_chars__gte=min_chars)
        .order_by()
        .values_list(
            "pk",
            "minutes_digest",
            _signature_if_undigested(),
        )
    )
    for chunk in chunks(sorted(set(ids)), CHUNK):
        for pk, digest, blob in rows.filter(pk__in=chunk):
            found = similarity.stored_print(digest, blob, k)
            if found is not None:
                prints[pk] = found
    return prints


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK])


def measured(
    candidates: Iterable[tuple[int, int]],
    k: int,
    threshold: float = KEPT_FLOOR,
    min_chars: int = KEPT_MIN_CHARS,
) -> list[tuple[int, int, int, float]]:
    """(lower id, higher id, bins agreeing, similarity) of the candidate pairs (meetings
    sharing a band of shingle length ``k``) of minutes of ``min_chars`` or more whose
    fingerprints agree as ``threshold`` needs (``similarity.floor_bins``, the filter of
    ``similarity.Table.pairs``) and that are at least that alike, measured exactly, sorted —
    the kept pairs' by default; the rule's incremental path asks its own."""
    ordered = {(a, b) if a < b else (b, a) for a, b in candidates}
    prints = fingerprints({pk for pair in ordered for pk in pair}, k, min_chars)
    floor = similarity.floor_bins(threshold)
    agreement = {}
    for a, b in ordered:
        if a in prints and b in prints:
            agree = similarity.agreeing(prints[a], prints[b])
            if agree >= floor:
                agreement[a, b] = agree
    return [
        (a, b, agreement[a, b], alike)
        for a, b, alike in similarity.measured(
            agreement, k=k, threshold=threshold, reread=minutes_of
        )
    ]


def _write(rows: list[tuple[int, int, int, float]], k: int) -> None:
    if not rows:
        return
    ids = core_bulk.reserve_ids(MinutePair, len(rows))
    core_bulk.insert(
        MinutePair,
        ["id", "first", "second", "k", "agreement", "similarity"],
        [(pk, a, b, k, agree, alike) for pk, (a, b, agree, alike) in zip(ids, rows, strict=True)],
    )


def _drop(ids: list[int]) -> None:
    for chunk in chunks(sorted(set(ids)), CHUNK):
        MinutePair.objects.filter(Q(first_id__in=chunk) | Q(second_id__in=chunk)).delete()


Partners = Callable[[list[int]], dict[int, set[tuple[int, int]]]]


@dataclass
class _Pending:
    """The meetings whose pairs ``at_end`` keeps on the way out."""

    ids: set[int] = field(default_factory=set)
    partners: Partners | None = None


_pending: ContextVar[_Pending | None] = ContextVar("kept_pairs_pending", default=None)


@contextmanager
def at_end() -> Iterator[None]:
    """Within, ``keep`` only notes its meetings; they are kept all at once on leaving without
    an error, inside the caller's transaction — so the lock is held from then to the commit,
    not from the first write. (Nested: the outermost keeps them.)"""
    if _pending.get() is not None:
        yield
        return
    pending = _Pending()
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    if pending.partners is not None:
        keep(sorted(pending.ids), pending.partners)


def keep(meeting_ids: list[int], partners: Partners) -> None:
    """These meetings' bands were just written (``bands.refresh``): their pairs measured
    again against the bands stored now (``partners``: ``bands.partners``, read once the lock
    is held), in the current transaction — or, within ``at_end``, when it ends."""
    ids = sorted(set(meeting_ids))
    if not ids:
        return
    if (pending := _pending.get()) is not None:
        pending.ids.update(ids)
        pending.partners = partners
        return
    with transaction.atomic():
        _lock()
        _drop(ids)
        for k, banded in sorted(partners(ids).items()):
            _write(measured(banded, k), k)


def forget(meeting_ids: Iterable[int]) -> None:
    """These meetings are about to be deleted: their pairs removed."""
    _drop(list(meeting_ids))


@dataclass
class Drift:
    """What ``rebuild`` found the kept pairs lacked (``missing``) or had that are no pair
    (``extra``), and how many it wrote."""

    missing: int = 0
    extra: int = 0
    written: int = 0


def computed(k: int) -> list[tuple[int, int, int, float]]:
    """Every kept pair of shingle length ``k`` as the signed minutes make them now, sorted:
    all their digests in one ``similarity.Table``, paired and measured as the rule does."""
    table, _ = table_of(Meeting.objects.all(), k, KEPT_MIN_CHARS)
    found = table.agreements(similarity.floor_bins(KEPT_FLOOR))
    return [
        (a, b, found[a, b], alike)
        for a, b, alike in similarity.measured(found, k=k, threshold=KEPT_FLOOR, reread=minutes_of)
    ]


def rebuild() -> Drift:
    """Every pair of the signed minutes measured again, for each shingle length with bands,
    and kept — complete from now on (``MinutePairing``). Returns what the kept pairs differed
    by where they were complete (a drift: the next rule run evaluates everything). One
    transaction: the pairs are read whole or as they were."""
    drift = Drift()
    with transaction.atomic():
        _lock()
        lengths = _lengths()
        MinutePairing.objects.exclude(k__in=lengths).delete()
        MinutePair.objects.exclude(k__in=lengths).delete()
        complete_before = set(MinutePairing.objects.values_list("k", flat=True))
        for k in lengths:
            rows = computed(k)
            fresh = {(a, b): (agree, alike) for a, b, agree, alike in rows}
            kept = {
                (a, b): (agree, alike)
                for a, b, agree, alike in MinutePair.objects.filter(k=k).values_list(
                    "first_id", "second_id", "agreement", "similarity"
                )
            }
            if k in complete_before:  # else never complete: the rule did not read them
                drift.missing += sum(1 for pair, value in fresh.items() if kept.get(pair) != value)
                drift.extra += sum(1 for pair, value in kept.items() if fresh.get(pair) != value)
            MinutePair.objects.filter(k=k).delete()
            _write(rows, k)
            drift.written += len(rows)
            MinutePairing.objects.update_or_create(
                k=k,
                defaults={
                    "floor": KEPT_FLOOR,
                    "min_chars": KEPT_MIN_CHARS,
                    "built_at": timezone.now(),
                },
            )
        if drift.missing or drift.extra:
            # Whole runs read the wrong pairs: every rule judged again.
            touch.everything()
    return drift


def complete(k: int, threshold: float, min_chars: int) -> bool:
    """Whether the kept pairs hold every pair of shingle length ``k`` at least ``threshold``
    alike of minutes at least ``min_chars`` long."""
    return MinutePairing.objects.filter(
        k=k, floor__lte=threshold, min_chars__lte=min_chars
    ).exists()


def _lengths() -> list[int]:
    """The shingle lengths with bands, from their index: one lookup a length."""
    found: list[int] = []
    bands = MinuteBand.objects.order_by("k").values_list("k", flat=True)
    while (k := bands.filter(k__gt=found[-1] if found else -1).first()) is not None:
        found.append(k)
    return found


def unpaired() -> bool:
    """Whether some shingle length has bands and no complete pairs (the nightly job then
    builds them)."""
    return bool(set(_lengths()) - set(MinutePairing.objects.values_list("k", flat=True)))
