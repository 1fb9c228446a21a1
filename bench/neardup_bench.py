"""Benchmark of near-duplicate minutes detection (issue 12, point 6) against exact-duplicate
hashing over the same text, in the same run.

    nice .venv/bin/python bench/neardup_bench.py --meetings 100000 [--copied 0.03] [--out f.json]

1. compose N meetings' minutes with the demo's generator (``demo.minutes_text.compose``:
   300–600 characters of varied Chinese, seeded), of which ``--copied`` (3 %) are copies of an
   earlier meeting's minutes with the branch's name and the date changed
   (``copy_with_edits``) — held in memory: the measure is the detection, not the database;
2. sign every text once (what the meeting services store when minutes are written:
   ``similarity.sign`` + ``pack``), timed apart; then measure, each twice, on the same texts:
   * exact — what finding identical records costs: the text as words (``similarity.plain``:
     tags and spacing removed), BLAKE2b of it, grouped by digest;
   * near — as the rule runs it now: the stored signatures unpacked, LSH (16 bands of 8
     bins), each candidate pair's texts read again and measured exactly (Jaccard ≥ 0.8,
     5-character shingles) — ``similarity.near_duplicates_signed``;
   and, once, near with every text shingled and signed again (``near_duplicates``, as the
   rule ran before signatures were stored), for the ratio recorded before;
   and the recall of the planted copies (found / planted) and the pairs found beyond them;
3. incremental: one new meeting's minutes checked against an index of all N (shingle, sign,
   query the LSH index, measure the candidates), the median of 200;
4. the peak resident memory of the process (``ru_maxrss``), and the figures as JSON.
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
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from dangjian.demo.minutes_text import compose, copy_with_edits  # noqa: E402
from dangjian.orglife import similarity  # noqa: E402

K, THRESHOLD, MIN_CHARS = 5, 0.8, 120
KINDS = ["general_meeting", "committee_meeting", "party_lesson", "theme_day", "life_meeting"]


def corpus(n: int, copied: float, seed: int) -> tuple[list[str], set[tuple[int, int]]]:
    rng = random.Random(seed)
    start = datetime.date(2025, 1, 1)
    texts: list[str] = []
    planted: set[tuple[int, int]] = set()
    for i in range(n):
        day = start + datetime.timedelta(days=i * 365 // n)
        org = f"天津市第{i % 5000}协会党支部"
        if i > 100 and rng.random() < copied:
            source = rng.randrange(0, i)
            source_org = f"天津市第{source % 5000}协会党支部"
            texts.append(
                copy_with_edits(rng, texts[source], org_from=source_org, org_to=org, day=day)
            )
            planted.add((source, i))
        else:
            texts.append(
                compose(rng, org=org, kind=rng.choice(KINDS), day=day, expected=rng.randint(3, 30))
            )
    return texts, planted


def exact(texts: list[str]) -> int:
    groups: dict[bytes, list[int]] = defaultdict(list)
    for i, text in enumerate(texts):
        groups[hashlib.blake2b(similarity.plain(text).encode()).digest()].append(i)
    return sum(len(g) - 1 for g in groups.values() if len(g) > 1)


def near(texts: list[str]) -> set[tuple[int, int]]:
    return {
        (a, b)
        for a, b, _ in similarity.near_duplicates(
            enumerate(texts), k=K, threshold=THRESHOLD, min_chars=MIN_CHARS
        )
    }


def sign_all(texts: list[str]) -> dict[int, bytes]:
    """What the meeting services store when minutes are written (``sign_minutes``): the
    packed signature of each text long enough to be compared."""
    blobs = {}
    for i, text in enumerate(texts):
        words = similarity.plain(text)
        if len(words) >= MIN_CHARS:
            blobs[i] = similarity.pack(similarity.sign(words, K), K)
    return blobs


def near_stored(texts: list[str], blobs: dict[int, bytes]) -> set[tuple[int, int]]:
    """What the rule does now: the stored signatures unpacked, LSH, and only the candidates'
    texts read again and measured exactly."""
    sigs = {i: similarity.unpack(blob, K) for i, blob in blobs.items()}
    return {
        (a, b)
        for a, b, _ in similarity.near_duplicates_signed(
            sigs,  # type: ignore[arg-type]
            k=K,
            threshold=THRESHOLD,
            reread=lambda ids: {i: texts[i] for i in ids},
        )
    }


def timed(fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def incremental(texts: list[str], seed: int, samples: int = 200) -> float:
    index = similarity.Index()
    plain = [similarity.plain(t) for t in texts]
    for i, words in enumerate(plain):
        index.add(i, similarity.sign(words, K))
    rng = random.Random(seed + 1)
    times = []
    for _ in range(samples):
        source = rng.randrange(len(texts))
        new = copy_with_edits(
            rng, texts[source], org_from="", org_to="", day=datetime.date(2026, 12, 1)
        )
        start = time.perf_counter()
        words = similarity.plain(new)
        shingled = similarity.shingles(words, K)
        [
            key
            for key in index.query(similarity.sign(words, K))
            if similarity.jaccard(shingled, similarity.shingles(plain[key], K)) >= THRESHOLD
        ]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--meetings", type=int, default=100_000)
    parser.add_argument("--copied", type=float, default=0.03)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out")
    parser.add_argument(
        "--no-resigning", action="store_true", help="skip the run that signs every text again"
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
    t, (texts, planted) = timed(corpus, args.meetings, args.copied, args.seed)
    figures["compose_s"] = round(t, 2)
    figures["chars_mean"] = round(sum(map(len, texts)) / len(texts))
    figures["planted"] = len(planted)
    # Signing happens when each meeting's minutes are written (orglife's meeting services);
    # measured once over all texts, and per text.
    t_sign, blobs = timed(sign_all, texts)
    figures["sign_s"] = round(t_sign, 2)
    figures["sign_per_text_us"] = round(t_sign / max(len(blobs), 1) * 1e6)
    figures["stored_signatures_mb"] = round(sum(map(len, blobs.values())) / 2**20)
    t_full, full_pairs = (None, None) if args.no_resigning else timed(near, texts)
    figures["near_resigning_s"] = t_full and round(t_full, 2)
    for run in (1, 2):
        t_exact, dup = timed(exact, texts)
        t_near, pairs = timed(near_stored, texts, blobs)
        figures[f"run{run}"] = {
            "exact_s": round(t_exact, 3),
            "near_s": round(t_near, 3),
            "ratio": round(t_near / t_exact, 1),
            "ratio_resigning": t_full and round(t_full / t_exact, 1),
            "same_pairs_as_resigning": full_pairs and pairs == full_pairs,
            "exact_duplicates": dup,
            "near_pairs": len(pairs),
            "recall": round(len(pairs & planted) / len(planted), 4) if planted else None,
            "beyond_planted": len(pairs - planted),
        }
        print(json.dumps({"run": run, **figures[f"run{run}"]}), flush=True)
    figures["incremental_median_ms"] = round(incremental(texts, args.seed) * 1000, 2)
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    figures["load_after"] = os.getloadavg()
    print(json.dumps(figures, ensure_ascii=False, indent=1))
    if args.out:
        with open(args.out, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(figures, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
