"""Near-duplicate minutes and reused photos, for the integrity rules (rules/kinds/integrity.py)
and the benchmark (bench/neardup_bench.py).

**Minutes.** The text (tags and spacing removed) is cut into character shingles of ``k``
characters — Chinese has no spaces, so characters, not words — and summarised by a MinHash
signature with one hash function and ``BINS`` bins (one-permutation hashing: each shingle's
hash picks a bin by its low bits and competes for that bin's minimum). Two texts agree in a
bin with probability close to the Jaccard similarity of their shingle sets. Locality-sensitive
hashing groups the bins into bands: texts sharing a whole band are candidates, and each
candidate pair is then measured exactly (Jaccard over the shingle sets), so a finding states
the true similarity, not an estimate. No numpy: one pass of dictionary and set operations per
text, written for CPython.

The shingle hash must be the same in every process, since signatures are stored with the
meeting when its minutes are written (``pack``; the rule reads them instead of re-shingling a
year of minutes): a shingle is hashed as the tuple of its characters' code points (CPython's
tuple hash of small integers is unsalted, unlike its string hash), the tuples made by ``zip``
over the text's code points — no Python-level loop per shingle. The exact comparison still
uses the string shingles (``shingles``): the same sets, so the same Jaccard.

**Photos.** ``dhash``: the 64-bit difference hash of a picture (9×8 grey pixels, one bit per
neighbour comparison). Re-encoding, resizing or small edits keep most bits; the Hamming
distance of two hashes says how alike the pictures are.
"""

from __future__ import annotations

import html
import io
import re
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from itertools import compress, repeat
from operator import itemgetter

from PIL import Image

TAG = re.compile(r"<[^>]+>")
SPACE = re.compile(r"\s+")
BINS = 128
# 16 bands of 8 bins: a pair at Jaccard 0.8 shares a band with p ≈ 0.95, at 0.9 with
# p ≈ 0.9999, at 0.3 with p ≈ 0.001 (honest minutes of one template family sit near 0.1–0.4).
BAND_ROWS = 8
EMPTY = (1 << 63) - 1  # above (almost) any hash: an empty bin
LOW = BINS - 1
EMPTY_BAND = array("q", [EMPTY] * BAND_ROWS).tobytes()
# A candidate pair's signatures must agree in this share of bins, less the margin, before its
# shingle sets are compared exactly.
ESTIMATE_MARGIN = 0.15


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
    shifted 0 … k-1), their unsalted hashes sorted from the largest, a dict keyed by bin keeps
    the last — the least — of each."""
    points = array("I", words.encode("utf-32-le", "surrogatepass"))
    hashes = sorted(
        map(hash, set(zip(*(points[i:] for i in range(k))))),  # noqa: B905 (unequal on purpose)
        reverse=True,
    )
    least = dict(zip(map(LOW.__and__, hashes), hashes, strict=True))
    # Packed as 64-bit integers: 1 KB a text (10^6 texts stay well under 2 GB).
    return array("q", map(least.get, range(BINS), repeat(EMPTY, BINS)))


# A stored signature: one byte of this scheme's version, one of ``k``, then the bins. A change
# of the hashing scheme bumps the version, and the old ones are signed again when read.
VERSION = 1


def pack(sig: array, k: int) -> bytes:
    return bytes((VERSION, k)) + sig.tobytes()


def stored(minutes: str, k: int, min_chars: int = 0) -> tuple[int, bytes]:
    """What a meeting stores with its minutes: their length as words, and their packed
    signature — only from ``min_chars`` characters (a raw bulk writer skips signing what the
    rule will not compare; the rule signs a longer text found without one)."""
    if not minutes:
        return 0, b""
    words = plain(minutes)
    if len(words) < min_chars:
        return len(words), b""
    return len(words), pack(sign(words, k), k)


def unpack(blob: bytes | memoryview | None, k: int) -> array | None:
    """The stored signature, or None when there is none or it was made otherwise (another
    scheme, another shingle length): the caller signs the text again."""
    if not blob:
        return None
    blob = bytes(blob)
    if blob[:2] != bytes((VERSION, k)) or len(blob) != 2 + BINS * 8:
        return None
    return array("q", blob[2:])


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


class Index:
    """An LSH index of signatures: ``add`` one, ``query`` the keys sharing a band with one —
    a new meeting's minutes are checked against it without reading every other text."""

    def __init__(self) -> None:
        # A band's bytes hashed to one integer: a collision only adds a candidate, which the
        # exact comparison then rejects.
        self.bands: list[dict[int, list[int]]] = [
            defaultdict(list) for _ in range(BINS // BAND_ROWS)
        ]

    @staticmethod
    def _bands(sig: array) -> Iterator[tuple[int, int]]:
        for n, start in enumerate(range(0, BINS, BAND_ROWS)):
            band = sig[start : start + BAND_ROWS].tobytes()
            if band != EMPTY_BAND:
                yield n, hash(band)

    def add(self, key: int, sig: array) -> None:
        for n, band in self._bands(sig):
            self.bands[n][band].append(key)

    def query(self, sig: array) -> set[int]:
        found: set[int] = set()
        for n, band in self._bands(sig):
            found.update(self.bands[n].get(band, ()))
        return found


def candidate_pairs(signatures: dict[int, array]) -> set[tuple[int, int]]:
    """Pairs of keys whose signatures share at least one band (LSH), each as (smaller, larger).
    One band at a time, so only one band's buckets are in memory. Written without a
    Python-level step per signature and band (the cost at 10^5 meetings): the band's bytes
    cut by ``map``, counted by ``Counter``, and only the keys of bands seen twice or more
    (a few percent) gathered by ``compress``."""
    keys = list(signatures)
    raw = list(map(array.tobytes, signatures.values()))
    width = BAND_ROWS * 8  # bytes of a band: BAND_ROWS 64-bit bins
    pairs: set[tuple[int, int]] = set()
    for start in range(0, BINS * 8, width):
        bands = list(map(itemgetter(slice(start, start + width)), raw))
        counts = Counter(bands)
        counts.pop(EMPTY_BAND, None)
        shared = {band for band, n in counts.items() if n > 1}
        if not shared:
            continue
        buckets: dict[bytes, list[int]] = defaultdict(list)
        for key, band in compress(zip(keys, bands, strict=True), map(shared.__contains__, bands)):
            buckets[band].append(key)
        for bucket in buckets.values():
            bucket.sort()
            for i, a in enumerate(bucket):
                for b in bucket[i + 1 :]:
                    pairs.add((a, b))
    return pairs


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

    Only the signatures are kept while reading; the candidates' texts are read again through
    ``reread`` (keys → texts) to be measured exactly, or kept from the first read without it."""
    sigs: dict[int, array] = {}
    kept: dict[int, str] = {}
    for key, text in texts:
        words = plain(text)
        if len(words) < min_chars:
            continue
        sigs[key] = sign(words, k)
        if reread is None:
            kept[key] = words
    return near_duplicates_signed(sigs, k=k, threshold=threshold, reread=reread, kept=kept)


def near_duplicates_signed(
    sigs: dict[int, array],
    *,
    k: int,
    threshold: float,
    reread: Callable[[list[int]], dict[int, str]] | None,
    kept: dict[int, str] | None = None,
) -> Iterator[tuple[int, int, float]]:
    """``near_duplicates`` from signatures already made (stored with the meetings): only the
    candidates' texts are read (``reread``, or taken from ``kept``)."""
    kept = kept or {}
    pairs = [
        (a, b)
        for a, b in sorted(candidate_pairs(sigs))
        if estimate(sigs[a], sigs[b]) >= threshold - ESTIMATE_MARGIN
    ]
    if reread is not None:
        kept = {
            key: plain(text) for key, text in reread(sorted({x for p in pairs for x in p})).items()
        }
    cache: dict[int, set[str]] = {}

    def shingled(key: int) -> set[str]:
        if key not in cache:
            cache[key] = shingles(kept.get(key, ""), k)
        return cache[key]

    for a, b in pairs:
        similarity = jaccard(shingled(a), shingled(b))
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
