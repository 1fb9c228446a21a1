"""A ledger import of meetings with minutes into a large federation (issue 15).

    DANGJIAN_VAR_DIR=… DANGJIAN_DEMO=1 nice .venv/bin/python bench/meeting_import_bench.py --rows 5000

On a database that already holds the demo federation (built with ``dangjian demo --scale N``),
writes a meetings workbook of ``--rows`` rows for the synthetic branches — the demo's minutes
(300–600 characters), one in ten a copy of an earlier row's with edits, so that the pairs of
alike minutes have work to do — then, as the demo's federation officer, receives, analyses and
commits it through ``ledgers.services``. Prints JSON: the commit's seconds, the seconds of the
pairs kept once at its end (``orglife.services.pairs.at_end``; on PostgreSQL the advisory lock is
held from then to the commit), the process's peak memory, the counts, the machine and the load.
The meetings stay in the database (run it on a copy).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from machine import cpu_model  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone
    from openpyxl import Workbook

    from dangjian.demo import minutes_text
    from dangjian.ledgers import services
    from dangjian.orglife.services import pairs
    from dangjian.party.models import PartyOrganization
    from dangjian.registry.models import Federation

    federation = Federation.objects.get(short_name="津网联")
    officer = get_user_model().objects.get(username="officer")
    rng = random.Random(args.seed)
    names = list(
        PartyOrganization.objects.filter(
            federation=federation, kind="branch", name__startswith="（合成）"
        ).values_list("name", flat=True)[:2000]
    )
    day = timezone.localdate() - datetime.timedelta(days=20)
    book = Workbook()
    sheet = book.active
    sheet.append(["党组织名称", "会议类型", "召开日期", "主题", "会议记录摘要"])
    originals: list[str] = []
    for i in range(args.rows):
        org = rng.choice(names)
        if originals and rng.random() < 0.1:
            text = minutes_text.copy_with_edits(
                rng, rng.choice(originals), org_from="", org_to="", day=day
            )
        else:
            text = minutes_text.compose(rng, org=org, kind="study", day=day)
            originals.append(text)
        held = day - datetime.timedelta(days=i % 300)
        sheet.append([org, "党课", held.isoformat(), f"导入测评{args.seed}-{i}", text])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "会议台账.xlsx"
        book.save(path)
        upload = services.receive_upload(
            [path.read_bytes()],
            path.name,
            federation=federation,
            ledger="meetings",
            actor=officer,
        )
    services.analyse(upload, actor=officer)
    kept = {"seconds": 0.0, "meetings": 0}
    keep = pairs.keep

    def timed_keep(ids, partners):
        # Called by each chunk's writes (inside ``at_end``: it only notes them) and once more
        # by ``at_end`` itself with all of them, which does the work.
        started = time.perf_counter()
        keep(ids, partners)
        kept["seconds"] += time.perf_counter() - started
        kept["meetings"] = max(kept["meetings"], len(set(ids)))

    pairs.keep = timed_keep
    load_before = os.getloadavg()
    started = time.perf_counter()
    services.commit(upload, actor=officer)
    seconds = time.perf_counter() - started
    upload.refresh_from_db()
    print(
        json.dumps(
            {
                "date": timezone.now().strftime("%Y-%m-%d %H:%M UTC"),
                "machine": f"{cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}",
                "database": connection.vendor,
                "rows": args.rows,
                "status": upload.status,
                "counts": upload.counts,
                "commit_s": round(seconds, 2),
                "pairs_kept_at_end_s": round(kept["seconds"], 2),
                "pairs_kept_meetings": kept["meetings"],
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
                "loads": [load_before, os.getloadavg()],
            },
            ensure_ascii=False,
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
