"""The band keys of each meeting's stored minutes signature (``orglife.MinuteBand``), kept with
the signature, so that the near-duplicate rule finds the candidates of a meeting — the meetings
whose minutes share a band with it — by one indexed lookup instead of reading every signature of
its window, and judges the touched branches alone in an incremental run
(``rules.kinds.integrity``).

Every writer of a signature calls ``refresh`` after its write (``meetings``: record, edit,
update, bulk; ``signatures.sign_stored_minutes``); a deleted meeting's bands go with it, after
``forget``. A signature replaced or removed can end a pair whose finding another branch's
meeting carries (the later meeting of a pair carries it): the branches of the meetings that
shared a band with the old signature are marked in the journal (``core.touch``, fact
``MINUTES``), so that they are judged again too, as is the branch of every meeting with
minutes that is written (its day, status or text may move a pair). New pairs are found from
the bands as they are at the run (``integrity.minutes_reach``). A meeting without minutes
marks nothing here: it is in no pair. ``rebuild`` writes them for every signed meeting (the
demo's raw writer; ``dangjian sign_minutes --bands``, which goes on where a stopped rebuild got
to; migration ``orglife 0010`` wrote them once with its own copy of the models).

The pairs of alike minutes (``pairs``) are kept with the bands: ``refresh`` has the pairs of
the meetings whose bands it wrote measured again, ``forget`` removes theirs; ``rebuild``
leaves them incomplete (``pairs.rebuild`` follows it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import connection, transaction
from django.db.models import Max

from dangjian.core import bulk as core_bulk
from dangjian.core import touch
from dangjian.core.sql import chunks, id_list
from dangjian.orglife import similarity
from dangjian.orglife.models import Meeting, MinuteBand, MinutePairing
from dangjian.orglife.services import pairs

# The journal's fact for what moves a near-duplicate-minutes finding (``rules.registry``
# names it too): this table's label.
MINUTES = "orglife.MinuteBand"

CHUNK = 500
# Signed meetings per transaction of ``rebuild`` (about 32,000 band rows).
REBUILD_BATCH = 2000


def band_keys_of(
    signed: Iterable[tuple[int, bytes | memoryview | None]],
) -> list[tuple[int, int, int]]:
    """(meeting id, k, key) of each band of (meeting id, stored signature) pairs."""
    rows: list[tuple[int, int, int]] = []
    for pk, blob in signed:
        bands = similarity.stored_bands(blob)
        if bands is None:
            continue
        k, keys = bands
        rows += [(pk, k, key) for key in keys]
    return rows


def band_rows(signed: Iterable[tuple[int, bytes | memoryview | None]]) -> list[MinuteBand]:
    """The rows of (meeting id, stored signature) pairs."""
    return [MinuteBand(meeting_id=pk, k=k, key=key) for pk, k, key in band_keys_of(signed)]


def _stored(ids: list[int]) -> dict[int, set[tuple[int, int]]]:
    found: dict[int, set[tuple[int, int]]] = {pk: set() for pk in ids}
    for pk, k, key in MinuteBand.objects.filter(meeting_id__in=ids).values_list(
        "meeting_id", "k", "key"
    ):
        found[pk].add((k, key))
    return found


def partners(ids: Iterable[int]) -> dict[int, set[tuple[int, int]]]:
    """{shingle length: (meeting of ``ids``, another meeting) sharing a band of it}, by the
    bands stored now."""
    band = MinuteBand._meta.db_table
    found: dict[int, set[tuple[int, int]]] = {}
    for chunk in chunks(sorted(set(ids)), CHUNK):
        with connection.cursor() as cursor:
            # CROSS JOIN: SQLite joins in the order written — the meetings' bands (by the
            # meeting's index), then the others with the same key (by the key's index).
            cursor.execute(
                f"SELECT DISTINCT b.k, b.meeting_id, o.meeting_id FROM {band} b "  # noqa: S608
                f"CROSS JOIN {band} o WHERE b.meeting_id IN ({id_list(chunk)}) "
                "AND o.k = b.k AND o.key = b.key AND o.meeting_id <> b.meeting_id"
            )
            for k, mine, other in cursor.fetchall():
                found.setdefault(k, set()).add((mine, other))
    return found


def partner_branches(ids: list[int]) -> set[int]:
    """The party organizations of the meetings (other than ``ids``) sharing a band with one of
    ``ids`` — by the bands stored now."""
    others = {other for found in partners(ids).values() for _, other in found} - set(ids)
    branches: set[int] = set()
    for chunk in chunks(sorted(others), CHUNK):
        branches.update(
            Meeting.objects.filter(pk__in=chunk).values_list("party_organization_id", flat=True)
        )
    return branches


def _mark(party_organization_ids: Iterable[int]) -> None:
    touch.mark_many(MINUTES, [(po, None, None) for po in sorted(set(party_organization_ids))])


def refresh(
    meetings: Iterable[Meeting],
    *,
    new: bool = False,
    moved_from: int | None = None,
    before: dict[int, bytes] | None = None,
) -> None:
    """These meetings were written (in the current transaction, after the write, as they are
    in memory): their bands replaced where they changed, the branches of the meetings paired
    with the old ones marked, and — for a meeting with minutes, then or now — its own branch
    (``moved_from``: the branch it had before, marked too). ``new``: just inserted, no bands
    yet; ``before``: {meeting id: its stored signature before the write} when the writer
    read it (the old bands are then those of that signature, not read again)."""
    written = [m for m in meetings if m.pk]
    rebanded: list[int] = []
    for chunk in chunks(written, CHUNK):
        ids = [m.pk for m in chunk]
        rows = band_rows((m.pk, m.minutes_signature) for m in chunk)
        if new:
            stored: dict[int, set[tuple[int, int]]] = {pk: set() for pk in ids}
        elif before is not None and set(ids) <= set(before):
            stored = {pk: _keys(before[pk]) for pk in ids}
        else:
            stored = _stored(ids)
        mine = {m.party_organization_id for m in chunk if m.minutes_signature or stored[m.pk]}
        if mine and moved_from:
            mine.add(moved_from)
        _mark(mine)
        if new:
            MinuteBand.objects.bulk_create(rows, batch_size=CHUNK)
            rebanded += sorted({row.meeting_id for row in rows})
            continue
        wanted: dict[int, set[tuple[int, int]]] = {pk: set() for pk in ids}
        for row in rows:
            wanted[row.meeting_id].add((row.k, row.key))
        changed = {pk for pk in ids if stored[pk] != wanted[pk]}
        if not changed:
            continue
        _forget([pk for pk in sorted(changed) if stored[pk]])
        MinuteBand.objects.bulk_create(
            [row for row in rows if row.meeting_id in changed], batch_size=CHUNK
        )
        rebanded += sorted(changed)
    # The pairs of the meetings whose bands were written, once all are (a pair of two of
    # them is measured once).
    pairs.keep(rebanded, partners)


def _keys(blob: bytes | memoryview | None) -> set[tuple[int, int]]:
    bands = similarity.stored_bands(blob)
    return set() if bands is None else {(bands[0], key) for key in bands[1]}


def _forget(ids: list[int]) -> None:
    _mark(partner_branches(ids))
    if ids:
        MinuteBand.objects.filter(meeting_id__in=ids).delete()


def forget(meeting_ids: Iterable[int]) -> None:
    """These meetings are about to be deleted: the branches of those with minutes marked, and
    of the meetings paired with them; their bands removed."""
    for chunk in chunks(sorted(set(meeting_ids)), CHUNK):
        _mark(
            Meeting.objects.filter(pk__in=chunk)
            .exclude(minutes="")
            .values_list("party_organization_id", flat=True)
        )
        _forget(chunk)
        pairs.forget(chunk)


def rebuild(after: int = 0, *, progress: Callable[[int], None] | None = None) -> int:
    """Every signed meeting's bands (of the meetings numbered above ``after``) written again,
    in id order, a batch of meetings per transaction — so that a rebuild stopped midway leaves
    the bands of every meeting up to some id and none above it (``last_banded`` then says
    where to go on; ``rules.kinds.integrity`` tells such a table from a complete one by its last
    signed meeting). Returns the rows written; ``progress`` gets each batch's last meeting id.
    The rows go in through the one raw insert (``core.bulk``): up to sixteen a meeting, 2.8 ×
    10^7 rows at the 100,000-unit size, about 15 minutes; a third less time than with the ORM's
    ``bulk_create`` (the rest is reading the signatures and hashing their bands)."""
    # The bands written here have no pairs measured: the kept pairs are incomplete until
    # ``pairs.rebuild``.
    MinutePairing.objects.all().delete()
    MinuteBand.objects.filter(meeting_id__gt=after).delete()
    written, last = 0, after
    while True:
        batch = list(
            Meeting.objects.filter(pk__gt=last)
            .exclude(minutes_signature=b"")
            .order_by("pk")
            .values_list("pk", "minutes_signature")[:REBUILD_BATCH]
        )
        if not batch:
            return written
        rows = band_keys_of(batch)
        with transaction.atomic():
            ids = core_bulk.reserve_ids(MinuteBand, len(rows))
            core_bulk.insert(
                MinuteBand,
                ["id", "meeting", "k", "key"],
                [(pk, *row) for pk, row in zip(ids, rows, strict=True)],
            )
        written += len(rows)
        last = batch[-1][0]
        if progress is not None:
            progress(last)


def last_banded() -> int:
    """The highest meeting id with bands stored (0: none): where a stopped ``rebuild`` goes on."""
    return MinuteBand.objects.aggregate(last=Max("meeting_id"))["last"] or 0
