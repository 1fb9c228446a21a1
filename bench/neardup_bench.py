"""Benchmark of near-duplicate minutes detection (issue 12, point 6) against exact-duplicate
hashing over the same text, in the same run, at up to 10^6 meetings.

    nice -n 10 .venv/bin/python bench/neardup_bench.py --meetings 1000000 \
        [--copied 0.03] [--cache-dir /work/var_neardup] [--no-resigning] [--out f.json]

1. **The texts, once** (not timed against each other): N meetings' minutes composed by the
   demo's generator (``demo.minutes_text.compose``: 300–600 characters of varied Chinese,
   seeded), of which ``--copied`` (3 %) are copies of an earlier meeting's minutes with the
   branch's name and the date changed (``copy_with_edits``), streamed into an SQLite file
   under ``--cache-dir`` (table ``minutes``, and ``planted``: the copies' pairs) — a copy's
   source is read back from the file, so the texts are never all in memory. Then each text's
   stored signature (what the meeting services store when minutes are written:
   ``similarity.stored`` — length of the plain text and the packed MinHash signature) into
   table ``signatures``. Later runs of the same size, share and seed reuse both; the
   signatures are made again when ``similarity.VERSION`` changes.
2. **Timed, twice each, alternately, both streaming from that file:**
   * exact — every text read, ``similarity.plain`` (tags, entities and spacing removed),
     BLAKE2b-128 of its UTF-8, a dict from digest to the first key: the exact duplicates;
   * near — as the rule runs it: every stored signature read (the rows of at least
     ``MIN_CHARS`` characters of plain text), checked and put in a ``similarity.Table``
     (16 band keys and a 128-byte fingerprint a text), candidate pairs by LSH (16 bands of 8
     bins) whose fingerprints agree in enough bins, then the candidates' texts read again,
     ``plain`` and measured exactly (Jaccard of 5-character shingles ≥ 0.8) —
     ``similarity.near_duplicates_signed``;
   and, once (unless ``--no-resigning``), near from the text itself: every text read,
   ``plain``, signed (``similarity.sign``), then as above — the like-for-like pass, with the
   signing the stored path did at write time.
3. **The answers checked**: the planted pairs' true Jaccard measured apart (their texts read,
   ``plain``, shingled); recall = planted pairs found / planted pairs, asserted ≥ 0.99 (every
   run so far: 1.0), and every planted pair found must carry its true Jaccard; the pairs
   found beyond the planted ones counted, and both near passes must find the same pairs.
4. **Incremental**: an ``similarity.Index`` over the table (band keys sorted), then 200 new
   meetings (100 copies of a random stored text, 100 fresh) each checked against it: plain,
   sign, query, the candidates' texts read from the file, exact Jaccard; median and p95.
5. The peak resident memory of the whole process (``ru_maxrss``) after each phase, and the
   figures as JSON.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import random
import resource
import sqlite3
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from machine import cpu_model  # noqa: E402

from dangjian.demo.minutes_text import compose, copy_with_edits  # noqa: E402
from dangjian.orglife import similarity  # noqa: E402

K, THRESHOLD, MIN_CHARS = 5, 0.8, 120
KINDS = ["general_meeting", "committee_meeting", "party_lesson", "theme_day", "life_meeting"]
CACHE_DIR = Path("/work/var_neardup")


def peak_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def build_cache(path: Path, n: int, copied: float, seed: int) -> None:
    """The texts and the planted pairs (see the module's docstring, 1.), streamed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    db = sqlite3.connect(partial)
    db.executescript(
        "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
        "CREATE TABLE minutes (id INTEGER PRIMARY KEY, text TEXT NOT NULL);"
        "CREATE TABLE planted (source INTEGER NOT NULL, copy INTEGER NOT NULL);"
    )
    rng = random.Random(seed)
    start = datetime.date(2025, 1, 1)
    batch: list[tuple[int, str]] = []
    for i in range(n):
        day = start + datetime.timedelta(days=i * 365 // n)
        org = f"天津市第{i % 5000}协会党支部"
        if i > 100 and rng.random() < copied:
            source = rng.randrange(0, i)
            first_in_batch = i - len(batch)
            if source >= first_in_batch:
                original = batch[source - first_in_batch][1]
            else:
                (original,) = db.execute(
                    "SELECT text FROM minutes WHERE id = ?", (source,)
                ).fetchone()
            source_org = f"天津市第{source % 5000}协会党支部"
            text = copy_with_edits(rng, original, org_from=source_org, org_to=org, day=day)
            db.execute("INSERT INTO planted VALUES (?, ?)", (source, i))
        else:
            text = compose(
                rng, org=org, kind=rng.choice(KINDS), day=day, expected=rng.randint(3, 30)
            )
        batch.append((i, text))
        if len(batch) == 10_000:
            db.executemany("INSERT INTO minutes VALUES (?, ?)", batch)
            batch.clear()
    db.executemany("INSERT INTO minutes VALUES (?, ?)", batch)
    db.commit()
    db.close()
    partial.rename(path)


def sign_cache(db: sqlite3.Connection) -> bool:
    """The stored signatures (1.), unless already there for this signature scheme."""
    db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
    row = db.execute("SELECT value FROM meta WHERE name = 'signature_version'").fetchone()
    if row and row[0] == f"{similarity.VERSION}/{K}":
        return False
    db.executescript(
        "DROP TABLE IF EXISTS signatures;"
        "CREATE TABLE signatures (id INTEGER PRIMARY KEY, chars INTEGER NOT NULL,"
        " sig BLOB NOT NULL);"
    )
    reader = db.cursor().execute("SELECT id, text FROM minutes ORDER BY id")
    while rows := reader.fetchmany(5000):
        db.executemany(
            "INSERT INTO signatures VALUES (?, ?, ?)",
            [(key, *similarity.stored(text, K, MIN_CHARS)[:2]) for key, text in rows],
        )
    db.execute(
        "INSERT OR REPLACE INTO meta VALUES ('signature_version', ?)",
        (f"{similarity.VERSION}/{K}",),
    )
    db.commit()
    return True


def texts_of(db: sqlite3.Connection, keys: list[int]) -> dict[int, str]:
    result: dict[int, str] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        marks = ",".join("?" * len(chunk))
        result.update(db.execute(f"SELECT id, text FROM minutes WHERE id IN ({marks})", chunk))
    return result


def exact(db: sqlite3.Connection) -> int:
    """Exact duplicates: texts whose plain words hash alike (the second and later of each)."""
    first: dict[bytes, int] = {}
    duplicates = 0
    for key, text in db.execute("SELECT id, text FROM minutes"):
        digest = hashlib.blake2b(similarity.plain(text).encode(), digest_size=16).digest()
        if first.setdefault(digest, key) != key:
            duplicates += 1
    return duplicates


def near(db: sqlite3.Connection, table: similarity.Table) -> dict[tuple[int, int], float]:
    return {
        (a, b): sim
        for a, b, sim in similarity.near_duplicates_signed(
            table, k=K, threshold=THRESHOLD, reread=lambda keys: texts_of(db, keys)
        )
    }


def stored_table(db: sqlite3.Connection) -> similarity.Table:
    """What the rule reads: the stored signatures of the minutes long enough."""
    table = similarity.Table()
    for key, blob in db.execute("SELECT id, sig FROM signatures WHERE chars >= ?", (MIN_CHARS,)):
        raw = similarity.unpacked_bytes(blob, K)
        if raw is not None:  # (the rule signs such a text again; none here)
            table.add(key, raw)
    return table


def near_stored(db: sqlite3.Connection) -> tuple[dict, similarity.Table]:
    table = stored_table(db)
    return near(db, table), table


def near_resigning(db: sqlite3.Connection) -> dict:
    table = similarity.Table()
    for key, text in db.execute("SELECT id, text FROM minutes"):
        words = similarity.plain(text)
        if len(words) >= MIN_CHARS:
            table.add(key, similarity.sign(words, K).tobytes())
    return near(db, table)


def timed(fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def timed_cpu(fn, *args):
    """Wall and CPU time (``process_time``: this process only — on a shared, loaded machine
    the wall time is mostly waiting for a core)."""
    start, cpu = time.perf_counter(), time.process_time()
    result = fn(*args)
    return time.perf_counter() - start, time.process_time() - cpu, result


def check(db: sqlite3.Connection, pairs: dict, planted: set[tuple[int, int]]) -> dict:
    """Recall of the planted pairs, and their true Jaccard measured apart."""
    truth: dict[tuple[int, int], float] = {}
    ordered = sorted(planted)
    for start in range(0, len(ordered), 2000):
        chunk = ordered[start : start + 2000]
        words = {
            key: similarity.plain(text)
            for key, text in texts_of(db, sorted({x for p in chunk for x in p})).items()
        }
        for a, b in chunk:
            truth[(a, b)] = similarity.jaccard(
                similarity.shingles(words[a], K), similarity.shingles(words[b], K)
            )
    found = planted & pairs.keys()
    wrong = [p for p in found if abs(pairs[p] - truth[p]) > 1e-12]
    findable = {p for p, j in truth.items() if j >= THRESHOLD}
    values = sorted(truth.values())
    return {
        "planted": len(planted),
        "planted_true_jaccard_min_median_max": [
            round(values[0], 3),
            round(statistics.median(values), 3),
            round(values[-1], 3),
        ]
        if values
        else None,
        "planted_at_or_above_threshold": len(findable),
        "found_planted": len(found),
        "recall": round(len(found) / len(planted), 5) if planted else None,
        "recall_of_findable": round(len(found & findable) / len(findable), 5) if findable else None,
        "found_with_a_similarity_other_than_true_jaccard": len(wrong),
        "beyond_planted": len(pairs.keys() - planted),
    }


def incremental(db: sqlite3.Connection, table: similarity.Table, seed: int, n: int) -> dict:
    build_s, index = timed(similarity.Index, table)
    floor = similarity.floor_bins(THRESHOLD)
    rng = random.Random(seed + 1)
    times, cpu_times, copies_found, copies, fresh_found = [], [], 0, 0, 0
    for sample in range(200):
        source = rng.randrange(n)
        if sample % 2 == 0:
            (original,) = db.execute("SELECT text FROM minutes WHERE id = ?", (source,)).fetchone()
            new = copy_with_edits(
                rng, original, org_from="", org_to="", day=datetime.date(2026, 12, 1)
            )
        else:
            new = compose(
                rng, org="新建党支部", kind=rng.choice(KINDS), day=datetime.date(2026, 12, 1)
            )
        start, cpu = time.perf_counter(), time.process_time()
        words = similarity.plain(new)
        mine = similarity.shingles(words, K)
        candidates = index.query(similarity.sign(words, K).tobytes(), floor)
        matches = [
            key
            for key, text in texts_of(db, sorted(candidates)).items()
            if similarity.jaccard(mine, similarity.shingles(similarity.plain(text), K)) >= THRESHOLD
        ]
        times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu)
        if sample % 2 == 0:
            (source_text,) = db.execute(
                "SELECT text FROM minutes WHERE id = ?", (source,)
            ).fetchone()
            true = similarity.jaccard(mine, similarity.shingles(similarity.plain(source_text), K))
            if true >= THRESHOLD:
                copies += 1
                copies_found += source in matches
        else:
            fresh_found += bool(matches)
    return {
        "index_build_s": round(build_s, 2),
        "median_ms": round(statistics.median(times) * 1000, 2),
        "p95_ms": round(statistics.quantiles(times, n=20)[18] * 1000, 2),
        "max_ms": round(max(times) * 1000, 2),
        "cpu_median_ms": round(statistics.median(cpu_times) * 1000, 2),
        "cpu_p95_ms": round(statistics.quantiles(cpu_times, n=20)[18] * 1000, 2),
        "copies_at_or_above_threshold": copies,
        "copies_found_with_their_source": copies_found,
        "fresh_texts_matching_something": fresh_found,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--meetings", type=int, default=100_000)
    parser.add_argument("--copied", type=float, default=0.03)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--cache-dir", type=Path, default=CACHE_DIR)
    parser.add_argument("--out")
    parser.add_argument(
        "--no-resigning", action="store_true", help="skip the pass that signs every text again"
    )
    args = parser.parse_args()
    figures: dict = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "load_before": os.getloadavg(),
        "python": platform.python_version(),
        "meetings": args.meetings,
    }
    path = args.cache_dir / f"minutes-{args.meetings}-{args.copied}-{args.seed}.sqlite"
    t = 0.0
    if not path.exists():
        t, _ = timed(build_cache, path, args.meetings, args.copied, args.seed)
    figures["compose_s"] = round(t, 1)  # 0: the file was there
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=OFF")
    t, made = timed(sign_cache, db)
    figures["sign_s"] = round(t, 1) if made else 0  # at write time, in the services
    figures["cache_mb"] = round(path.stat().st_size / 2**20)
    planted = set(db.execute("SELECT source, copy FROM planted"))
    figures["peak_rss_mb_after_cache"] = peak_mb()
    print(json.dumps(figures, ensure_ascii=False), flush=True)
    runs: dict[int, dict] = {}
    pairs: dict = {}
    table = similarity.Table()
    for run in (1, 2):
        del table
        t_exact, cpu_exact, dup = timed_cpu(exact, db)
        t_near, cpu_near, (pairs, table) = timed_cpu(near_stored, db)
        runs[run] = {
            "exact_s": round(t_exact, 2),
            "near_s": round(t_near, 2),
            "ratio": round(t_near / t_exact, 2),
            "exact_cpu_s": round(cpu_exact, 2),
            "near_cpu_s": round(cpu_near, 2),
            "ratio_cpu": round(cpu_near / cpu_exact, 2),
            "exact_duplicates": dup,
            "near_pairs": len(pairs),
            "load": os.getloadavg(),
            "peak_rss_mb": peak_mb(),
        }
        if run == 1:
            first_pairs = set(pairs)
        else:
            runs[run]["same_pairs_as_run_1"] = set(pairs) == first_pairs
        print(json.dumps({"run": run, **runs[run]}), flush=True)
    figures["runs"] = runs
    figures["table_mb"] = round(
        (
            len(table.keys) * table.keys.itemsize
            + len(table.bands) * table.bands.itemsize
            + len(table.prints)
        )
        / 2**20
    )
    figures["check"] = checked = check(db, pairs, planted)
    print(json.dumps(checked), flush=True)
    if not args.no_resigning:
        t_resign, cpu_resign, again = timed_cpu(near_resigning, db)
        figures["near_resigning_s"] = round(t_resign, 2)
        figures["near_resigning_cpu_s"] = round(cpu_resign, 2)
        exact_mean = statistics.mean(r["exact_s"] for r in runs.values())
        exact_cpu_mean = statistics.mean(r["exact_cpu_s"] for r in runs.values())
        figures["ratio_resigning_to_mean_exact"] = round(t_resign / exact_mean, 2)
        figures["ratio_cpu_resigning_to_mean_exact"] = round(cpu_resign / exact_cpu_mean, 2)
        figures["resigning_same_pairs"] = set(again) == set(pairs)
        figures["peak_rss_mb_after_resigning"] = peak_mb()
        del again
        print(json.dumps({k: figures[k] for k in figures if "resign" in k}), flush=True)
    figures["incremental"] = incremental(db, table, args.seed, args.meetings)
    figures["peak_rss_mb"] = peak_mb()
    figures["load_after"] = os.getloadavg()
    print(json.dumps(figures, ensure_ascii=False, indent=1), flush=True)
    if args.out:
        with open(args.out, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(figures, ensure_ascii=False) + "\n")
    assert checked["recall"] is None or checked["recall"] >= 0.99, checked
    assert checked["found_with_a_similarity_other_than_true_jaccard"] == 0, checked
    assert runs[2]["same_pairs_as_run_1"]
    assert figures.get("resigning_same_pairs", True)


if __name__ == "__main__":
    main()
