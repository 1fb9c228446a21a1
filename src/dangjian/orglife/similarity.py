"""Near-duplicate minutes and reused photos, for the integrity rules (rules/kinds/integrity.py)
and the benchmark (bench/neardup_bench.py).

**Minutes.** The text (tags and spacing removed) is cut into character shingles of ``k``
characters — Chinese has no spaces, so characters, not words — and summarised by a MinHash
signature with one hash function and ``BINS`` bins (one-permutation hashing: each shingle's
hash picks a bin by its low bits and competes for that bin's minimum). Two texts agree in a
bin with probability close to the Jaccard similarity of their shingle sets. Locality-sensitive
hashing groups the bins into bands: texts sharing a whole band are candidates, and each
candidate pair is then measured exactly (Jaccard over the shingle sets), so a finding states
the true similarity, not an estimate. One text is signed without numpy: C-level passes (``map``,
``zip``, slicing, ``dict``) over the text, written for CPython.

The shingle hash must be the same in every process, since signatures are stored with the
meeting when its minutes are written (``pack``; the rule reads them instead of re-shingling a
year of minutes): a shingle is hashed as the tuple of its characters' code points (CPython's
tuple hash of small integers is unsalted, unlike its string hash), the tuples made by ``zip``
over the text's code points — no Python-level loop per shingle. The exact comparison still
uses the string shingles (``shingles``): the same sets, so the same Jaccard.

**Many texts at once** (a year of a federation's minutes, 10^6 in the benchmark): the 1 KB
signatures are not kept. A ``Table`` keeps, per text, its key, one integer per band (the band's
eight bins mixed into 64 bits) and one byte of each bin as a fingerprint — 264 bytes a text in
three flat arrays, no Python object per text. Stored signatures are taken a chunk at a time
(``add_signed``), as numpy arrays: checked, banded and fingerprinted for the whole chunk at once.
Candidates are the texts sharing a band key; a candidate pair goes on to the exact measure only
if its fingerprints agree in enough bins (``floor``) — compared with numpy, a band at a time,
for every pair of every bucket at once (``pairs``); the exact measure reads the candidates'
texts again (``reread``), a chunk of pairs at a time. numpy because at 10^6 texts the Python
loops over each text's bytes and each candidate pair were most of the rule's time (at 100,000
units on SQLite: the table of 1.8 million stored signatures read and built in 10.9 s and paired
in 22.2 s, against 6.3 s and 7.6 s this way, the same pairs). An ``Index`` sorts a table's band
keys, so that one new text is checked against all of them by binary search (the incremental
check).

**Photos.** ``dhash``: the 64-bit difference hash of a picture (9×8 grey pixels, one bit per
neighbour comparison). Re-encoding, resizing or small edits keep most bits; the Hamming
distance of two hashes says how alike the pictures are.
"""

from __future__ import annotations

import functools
import html
import io
import math
import re
from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from itertools import repeat
from typing import TYPE_CHECKING

from PIL import Image

if TYPE_CHECKING:
    import numpy as np

TAG = re.compile(r"<[^>]+>")
SPACE = re.compile(r"\s+")
BINS = 128
# 16 bands of 8 bins: a pair at Jaccard 0.8 shares a band with p ≈ 0.95, at 0.9 with
# p ≈ 0.9999, at 0.3 with p ≈ 0.001 (honest minutes of one template family sit near 0.1–0.4).
BAND_ROWS = 8
BANDS = BINS // BAND_ROWS
SIGNATURE_BYTES = BINS * 8
EMPTY = (1 << 63) - 1  # above (almost) any hash: an empty bin
LOW = BINS - 1
EMPTY_BINS = array("q", [EMPTY] * BAND_ROWS)
# A band's key mixes its eight bins into 64 bits (odd multipliers, each step a bijection): the
# same in every process, computed for a whole chunk of signatures at once. Two different bands
# with the same key only add a candidate, which the fingerprints or the exact measure reject.
# (The keys stored in the database, ``stored_bands``, are another, older scheme.)
# numpy is imported by the functions that use it: this module is imported at every process's
# start (the photo hash), the arrays are only needed by a rule judging many minutes.
_MIX = 0x9E3779B97F4A7C15
_SEED = 0xCBF29CE484222325
_SHIFT = 29
# A bin's fingerprint: its second byte (bits 8–15 of the least hash; bits 0–6 name the bin).
FINGERPRINT_BYTE = 1
# A candidate pair's signatures must agree in this share of bins, less the margin, before its
# shingle sets are compared exactly.
ESTIMATE_MARGIN = 0.15
# Pairs measured exactly per ``reread`` call: bounds the texts held at once.
PAIRS_PER_READ = 5000
# Candidate pairs whose fingerprints are compared at once (two 128-byte rows each: 64 MB).
PAIRS_AT_ONCE = 1 << 18


def plain(text: str) -> str:
    """The minutes' words only: tags, entities and all spacing removed."""
    return SPACE.sub("", html.unescape(TAG.sub("", text or "")))


def shingles(text: str, k: int) -> set[str]:
    n = len(text) - k + 1
    return set(map(text.__getitem__, map(slice, range(n), range(k, n + k))))


def sign(words: str, k: int) -> array:
    """One-permutation MinHash of the ``k``-character shingles of ``words`` (``plain`` text):
    the least hash in each of BINS bins (a hash's bin is its low bits). Written without a
    Python-level loop per shingle: the shingles as tuples of code points (``zip`` of the text
    shifted 0 … k-1), hashed as they are made (``zip`` reuses one tuple), the distinct hashes
    sorted from the largest, a dict keyed by bin keeps the last — the least — of each."""
    points = array("I", words.encode("utf-32-le", "surrogatepass"))
    hashes = sorted(
        set(map(hash, zip(*(points[i:] for i in range(k))))),  # noqa: B905 (unequal on purpose)
        reverse=True,
    )
    least = dict(zip(map(LOW.__and__, hashes), hashes, strict=True))
    # Packed as 64-bit integers: 1 KB a text.
    return array("q", map(least.get, range(BINS), repeat(EMPTY, BINS)))


# A stored signature: one byte of this scheme's version, one of ``k``, then the bins. A change
# of the hashing scheme bumps the version, and the old ones are signed again when read.
VERSION = 1
HEADER = 2


def pack(sig: array, k: int) -> bytes:
    return bytes((VERSION, k)) + sig.tobytes()


def stored(minutes: str, k: int, min_chars: int = 0) -> tuple[int, bytes, bytes]:
    """What a meeting stores with its minutes: their length as words, their packed signature
    and its digest — signed only from ``min_chars`` characters (a raw bulk writer skips
    signing what the rule will not compare; the rule signs a longer text found without
    one)."""
    if not minutes:
        return 0, b"", b""
    words = plain(minutes)
    if len(words) < min_chars:
        return len(words), b"", b""
    packed = pack(sign(words, k), k)
    return len(words), packed, digest_of(packed)


# A stored digest: the same two header bytes as a signature, the signature's band keys
# (``band_key_array``, 8 bytes each) and its fingerprint (``fingerprint``, a byte a bin) — the
# row a ``Table`` keeps of a text, so that the whole-window rule reads 258 bytes a meeting
# instead of the 1 KB signature and bands nothing (at 100,000 units on PostgreSQL: reading 1.8
# million signatures took 8 s, banding them 3 s).
DIGEST_BYTES = HEADER + BANDS * 8 + BINS


def digests(blobs: list[bytes]) -> list[bytes]:
    """The digests of stored signatures (``pack``), all at once; b"" for one that is none or
    of another scheme (a reader signs its text again)."""
    sized, rows = _rows_of(blobs, HEADER + SIGNATURE_BYTES)
    result = [b""] * len(blobs)
    for i, row in zip(sized, _digest_rows(rows), strict=True):
        if row[0] == VERSION:
            result[i] = row.tobytes()
    return result


def _rows_of(blobs: list[bytes], size: int) -> tuple[list[int], np.ndarray]:
    """The positions of the blobs of ``size`` bytes, and those blobs as the rows of one byte
    array."""
    import numpy as np

    sized = [i for i, blob in enumerate(blobs) if len(blob) == size]
    rows = np.frombuffer(b"".join(blobs[i] for i in sized), dtype=np.uint8)
    return sized, rows.reshape(-1, size)


def _digest_rows(signatures: np.ndarray) -> np.ndarray:
    """The digests (rows of ``DIGEST_BYTES``) of packed signatures (rows of bytes), the
    header kept as it is."""
    import numpy as np

    bins = np.ascontiguousarray(signatures[:, HEADER:])  # aligned: readable as integers
    keys = band_key_array(bins.view(np.int64)).view(np.uint8)
    return np.concatenate([signatures[:, :HEADER], keys, bins[:, FINGERPRINT_BYTE::8]], axis=1)


def digest_of(blob: bytes | memoryview | None) -> bytes:
    """The digest of one stored signature (``digests``)."""
    return digests([bytes(blob)])[0] if blob else b""


def unpacked_bytes(blob: bytes | memoryview | None, k: int) -> bytes | None:
    """The stored signature's bins as bytes (what a ``Table`` takes), or None when there is
    none or it was made otherwise (another scheme, another shingle length): the caller signs
    the text again."""
    if not blob:
        return None
    blob = bytes(blob)
    if blob[:HEADER] != bytes((VERSION, k)) or len(blob) != HEADER + SIGNATURE_BYTES:
        return None
    return blob[HEADER:]


def stored_bands(blob: bytes | memoryview | None) -> tuple[int, list[int]] | None:
    """A stored signature's shingle length and its band keys as they are kept in the database
    (``orglife.MinuteBand``): unlike ``band_keys`` (a salted bytes hash, good within one
    process), each key is the tuple hash of (k, band number, the band's eight bins), the same
    in every process (CPython hashes integers and their tuples unsalted), so that keys written
    by one process are found by another. Empty bands have none. None: no stored signature of
    this scheme."""
    if not blob:
        return None
    blob = bytes(blob)
    if blob[0] != VERSION or len(blob) != HEADER + SIGNATURE_BYTES:
        return None
    k, bins = blob[1], array("q", blob[HEADER:])
    keys = [
        hash((k, n, *bins[n * BAND_ROWS : (n + 1) * BAND_ROWS]))
        for n in range(BANDS)
        if bins[n * BAND_ROWS : (n + 1) * BAND_ROWS] != EMPTY_BINS
    ]
    return k, keys


def stored_print(
    digest: bytes | memoryview | None, blob: bytes | memoryview | None, k: int
) -> int | None:
    """A meeting's fingerprint (as ``agreeing`` takes it) from its stored digest, or from its
    signature where the digest is missing; None when neither is of this scheme with shingle
    length ``k``."""
    if digest and len(digest) == DIGEST_BYTES and bytes(digest[:HEADER]) == bytes((VERSION, k)):
        return int.from_bytes(bytes(digest[HEADER + BANDS * 8 :]), "little")
    raw = unpacked_bytes(blob, k)
    return None if raw is None else int.from_bytes(fingerprint(raw), "little")


def unpack(blob: bytes | memoryview | None, k: int) -> array | None:
    """The stored signature as an array of its bins, or None (see ``unpacked_bytes``)."""
    raw = unpacked_bytes(blob, k)
    return None if raw is None else array("q", raw)


def estimate(a: array, b: array) -> float:
    """The share of bins two signatures agree in (empty in both: not counted)."""
    same = filled = 0
    for x, y in zip(a, b, strict=True):
        if x == EMPTY and y == EMPTY:
            continue
        filled += 1
        same += x == y
    return same / filled if filled else 0.0


def jaccard(a: set[str], b: set[str]) -> float:
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)


def band_key_array(bins: np.ndarray) -> np.ndarray:
    """The band keys of signatures' bins (``(texts, BINS)`` 64-bit integers): ``(texts,
    BANDS)``."""
    import numpy as np

    words = np.ascontiguousarray(bins).view(np.uint64).reshape(-1, BANDS, BAND_ROWS)
    key = np.full(words.shape[:2], _SEED, dtype=np.uint64)
    mix, shift = np.uint64(_MIX), np.uint64(_SHIFT)
    for row in range(BAND_ROWS):
        key ^= words[:, :, row]
        key *= mix
        key ^= key >> shift
    return key.view(np.int64)


def band_keys(raw: bytes) -> list[int]:
    """One integer per band of a signature's bins (``sig.tobytes()``)."""
    import numpy as np

    return band_key_array(np.frombuffer(raw, dtype=np.int64).reshape(1, BINS))[0].tolist()


@functools.cache
def empty_band_key() -> int:
    """The key of a band with no shingle in it (never a candidate)."""
    return band_keys(array("q", [EMPTY] * BINS).tobytes())[0]


def fingerprint(raw: bytes) -> bytes:
    """One byte of each bin of a signature's bins (``sig.tobytes()``)."""
    return raw[FINGERPRINT_BYTE::8]


def agreeing(a: int, b: int) -> int:
    """Bins two fingerprints (as little-endian integers) agree in. A bin empty in both agrees,
    and two different hashes agree by chance once in 256: this count is never below the
    agreement of the full signatures that ``estimate`` counts, so as a filter it lets through
    every pair ``estimate`` would (and a few more, which the exact measure rejects)."""
    return (a ^ b).to_bytes(BINS, "little").count(0)


def floor_bins(threshold: float) -> int:
    """Fingerprint agreement a candidate pair needs before it is measured exactly."""
    return max(0, math.ceil((threshold - ESTIMATE_MARGIN) * BINS - 1e-9))


class Table:
    """Many texts' signatures, compactly (see the module's docstring): ``add`` each text's key
    and signature bins, or ``add_signed`` a chunk of stored signatures; ``pairs`` gives the
    candidate pairs."""

    __slots__ = ("keys", "bands", "prints")

    def __init__(self) -> None:
        self.keys = array("q")
        self.bands = array("q")  # BANDS per text, text after text
        self.prints = bytearray()  # BINS bytes per text

    def __len__(self) -> int:
        return len(self.keys)

    def add(self, key: int, raw: bytes) -> None:
        """``raw``: the signature's bins as bytes (``sig.tobytes()``, ``unpacked_bytes``)."""
        self.keys.append(key)
        self.bands.extend(band_keys(raw))
        self.prints += raw[FINGERPRINT_BYTE::8]

    def add_signed(self, keys: list[int], blobs: list[bytes], k: int) -> list[int]:
        """Stored signatures (``pack``) of the texts ``keys``, a chunk at once; returns the keys
        whose signature is not one of this scheme with shingle length ``k``, in no order
        (``unpacked_bytes`` would give None: the caller signs their texts)."""
        sized, rows = _rows_of(blobs, HEADER + SIGNATURE_BYTES)
        return self._add_digests(keys, sized, _digest_rows(rows), k)

    def add_digested(self, keys: list[int], blobs: list[bytes], k: int) -> list[int]:
        """Stored digests (``digests``) of the texts ``keys``, a chunk at once: their band keys
        and fingerprints taken as they are. Returns the keys whose digest is not one of this
        scheme with shingle length ``k`` (the caller signs their texts)."""
        sized, rows = _rows_of(blobs, DIGEST_BYTES)
        return self._add_digests(keys, sized, rows, k)

    def _add_digests(
        self, keys: list[int], sized: list[int], rows: np.ndarray, k: int
    ) -> list[int]:
        """The digest ``rows`` of the texts at the positions ``sized`` of ``keys`` added where
        their header is this scheme's with shingle length ``k``; the other keys returned."""
        import numpy as np

        ours = (rows[:, 0] == VERSION) & (rows[:, 1] == k)
        taken = np.zeros(len(keys), dtype=bool)
        taken[sized] = ours
        chosen = np.asarray(keys, dtype=np.int64)
        self.keys.frombytes(chosen[taken].tobytes())
        self.bands.frombytes(rows[ours, HEADER : HEADER + BANDS * 8].tobytes())
        self.prints += rows[ours, HEADER + BANDS * 8 :].tobytes()
        return chosen[~taken].tolist()

    def print_of(self, position: int) -> int:
        return int.from_bytes(self.prints[position * BINS : (position + 1) * BINS], "little")

    def band(self, n: int) -> array:
        return self.bands[n::BANDS]

    def pairs(self, floor: int = 0) -> set[tuple[int, int]]:
        """Pairs of keys (smaller first) sharing at least one band, whose fingerprints agree
        in at least ``floor`` bins (``agreements``)."""
        return set(map(tuple, self._found(floor)[:, :2].tolist()))

    def agreements(self, floor: int = 0) -> dict[tuple[int, int], int]:
        """{pair: the bins its fingerprints agree in} of ``pairs``."""
        return {(a, b): agree for a, b, agree in self._found(floor).tolist()}

    def _found(self, floor: int) -> np.ndarray:
        """The rows (key a, key b, bins agreeing) of ``pairs``. One band at a time: its keys
        sorted, and each bucket of equal keys (texts in a row of the sorted band) walked by
        distance — every text against the one ``d`` places after it in its bucket, for d = 1,
        2, … over all buckets at once — so the work is the candidate pairs, with no Python
        step per pair."""
        import numpy as np

        n = len(self.keys)
        none = np.zeros((0, 3), dtype=np.int64)
        if n < 2:
            return none
        keys = np.frombuffer(self.keys, dtype=np.int64)
        bands = np.frombuffer(self.bands, dtype=np.int64).reshape(n, BANDS)
        prints = np.frombuffer(self.prints, dtype=np.uint8).reshape(n, BINS)
        found: list[np.ndarray] = []
        for b in range(BANDS):
            order = np.argsort(bands[:, b])
            column = bands[order, b]
            starts = np.flatnonzero(np.r_[True, column[1:] != column[:-1]])
            lengths = np.diff(np.r_[starts, n])
            shared = (lengths > 1) & (column[starts] != empty_band_key())
            starts, lengths = starts[shared], lengths[shared]
            if not len(starts):
                continue
            # Each text of a shared bucket: its place in the sorted band, and how many of its
            # bucket come after it.
            first = np.repeat(starts, lengths)
            place = np.arange(len(first)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
            position, after = first + place, np.repeat(lengths, lengths) - place - 1
            distance = 1
            active = np.flatnonzero(after >= distance)
            while len(active):
                here = position[active]
                for lo in range(0, len(here), PAIRS_AT_ONCE):
                    a = order[here[lo : lo + PAIRS_AT_ONCE]]
                    z = order[here[lo : lo + PAIRS_AT_ONCE] + distance]
                    agree = np.count_nonzero(prints[a] == prints[z], axis=1)
                    alike = agree >= floor
                    if alike.any():
                        ka, kz = keys[a[alike]], keys[z[alike]]
                        low, high = np.minimum(ka, kz), np.maximum(ka, kz)
                        found.append(np.stack([low, high, agree[alike]], axis=1))
                distance += 1
                active = active[after[active] >= distance]
        if not found:
            return none
        return np.unique(np.concatenate(found), axis=0)


class Index:
    """A table's band keys sorted, band by band, so that one new text's signature is checked
    against all of them by binary search (``query``) without a dict per text; texts ``add``-ed
    afterwards go to a small dict beside it."""

    def __init__(self, table: Table | None = None) -> None:
        self.table = table or Table()
        self.sorted: list[array] = []
        self.order: list[array] = []
        count = len(self.table)
        for b in range(BANDS):
            column = self.table.band(b)
            order = sorted(range(count), key=column.__getitem__)
            self.order.append(array("q", order))
            self.sorted.append(array("q", map(column.__getitem__, order)))
            del order
        self.fresh: list[dict[int, list[int]]] = [defaultdict(list) for _ in range(BANDS)]
        self.fresh_prints: dict[int, int] = {}

    def add(self, key: int, raw: bytes) -> None:
        for b, band in enumerate(band_keys(raw)):
            if band != empty_band_key():
                self.fresh[b][band].append(key)
        self.fresh_prints[key] = int.from_bytes(fingerprint(raw), "little")

    def query(self, raw: bytes, floor: int = 0) -> set[int]:
        """The keys sharing a band with the signature (its bins as bytes), whose fingerprints
        agree in at least ``floor`` bins."""
        mine = int.from_bytes(fingerprint(raw), "little")
        positions: set[int] = set()
        fresh: set[int] = set()
        for b, band in enumerate(band_keys(raw)):
            if band == empty_band_key():
                continue
            column, order = self.sorted[b], self.order[b]
            i = bisect_left(column, band)
            while i < len(column) and column[i] == band:
                positions.add(order[i])
                i += 1
            fresh.update(self.fresh[b].get(band, ()))
        table = self.table
        found = {table.keys[p] for p in positions if agreeing(mine, table.print_of(p)) >= floor}
        found.update(key for key in fresh if agreeing(mine, self.fresh_prints[key]) >= floor)
        return found


def near_duplicates(
    texts: Iterable[tuple[int, str]],
    *,
    k: int,
    threshold: float,
    min_chars: int,
    reread: Callable[[list[int]], dict[int, str]] | None = None,
) -> Iterator[tuple[int, int, float]]:
    """``(key a, key b, similarity)`` for every pair of texts at least ``threshold`` alike
    (Jaccard of their ``k``-character shingles), among those of at least ``min_chars``
    characters (short notes say little and repeat by nature).

    Only the signatures' compact forms are kept while reading (a ``Table``); the candidates'
    texts are read again through ``reread`` (keys → texts) to be measured exactly, or kept
    from the first read without it."""
    table = Table()
    kept: dict[int, str] = {}
    for key, text in texts:
        words = plain(text)
        if len(words) < min_chars:
            continue
        table.add(key, sign(words, k).tobytes())
        if reread is None:
            kept[key] = words
    return near_duplicates_signed(table, k=k, threshold=threshold, reread=reread, kept=kept)


def near_duplicates_signed(
    table: Table,
    *,
    k: int,
    threshold: float,
    reread: Callable[[list[int]], dict[int, str]] | None,
    kept: dict[int, str] | None = None,
) -> Iterator[tuple[int, int, float]]:
    """``near_duplicates`` from a table of signatures already made (stored with the
    meetings): only the candidates' texts are read (``reread``, a chunk of pairs at a time,
    or taken from ``kept``), in order of the pairs."""
    pairs = table.pairs(floor_bins(threshold))
    return measured(pairs, k=k, threshold=threshold, reread=reread, kept=kept)


def measured(
    pairs: Iterable[tuple[int, int]],
    *,
    k: int,
    threshold: float,
    reread: Callable[[list[int]], dict[int, str]] | None,
    kept: dict[int, str] | None = None,
) -> Iterator[tuple[int, int, float]]:
    """Of candidate pairs (smaller key first), those at least ``threshold`` alike, measured
    exactly, in the pairs' order (sorted)."""
    ordered = sorted(pairs)
    for start in range(0, len(ordered), PAIRS_PER_READ):
        chunk = ordered[start : start + PAIRS_PER_READ]
        if reread is not None:
            wanted = sorted({key for pair in chunk for key in pair})
            words = {key: plain(text) for key, text in reread(wanted).items()}
        else:
            words = kept or {}
        last, last_set = None, set()
        for a, b in chunk:
            if a != last:
                last, last_set = a, shingles(words.get(a, ""), k)
            similarity = jaccard(last_set, shingles(words.get(b, ""), k))
            if similarity >= threshold:
                yield a, b, similarity


def dhash(data: bytes) -> str:
    """The 64-bit difference hash of an image, as 16 hex digits ("" when unreadable)."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            grey = img.convert("L").resize((9, 8), Image.Resampling.LANCZOS)
            pixels = list(grey.tobytes())
    except (OSError, ValueError):
        return ""
    bits = 0
    for row in range(8):
        for col in range(8):
            left, right = pixels[row * 9 + col], pixels[row * 9 + col + 1]
            bits = (bits << 1) | (left > right)
    return f"{bits:016x}"


def distance(a: str, b: str) -> int:
    """Hamming distance of two hashes from ``dhash``."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def informative(value: str, min_bits: int = 8) -> bool:
    """A flat or nearly flat picture (a blank page, a single colour) has almost no set or
    unset bits, and every such picture looks like every other: those are not compared."""
    ones = int(value, 16).bit_count()
    return min_bits <= ones <= 64 - min_bits
