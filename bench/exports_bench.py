"""A province's large exports: the click answered at once, the file made by the worker.

    nice -n 10 .venv/bin/python bench/exports_bench.py [--scale 10000] [--database-url URL]
        [--var DIR] [--reuse] [--runs 5] [--click-only]

Builds (or reuses, --var) the bench database as bench/home_bench.py does, then, as the
province's officer, for the member roster's export, the member ledger (masked) and the member
units' ledger:

* the export made in the request, as it was before ``access.background_exports`` (the bound
  raised above the rows): its seconds and rows — what the click cost the user;
* the click now (the default bound, ``DANGJIAN_EXPORT_IN_REQUEST_ROWS``): the answer that
  sends the user to 我的导出 — median and p95 of ``--runs`` clicks, each queuing an export;
* the worker's making of one of those exports (``background_exports.make``): seconds, file
  size, and that its rows equal the in-request export's.

``--click-only`` measures the clicks alone (at 10^6 members the export in the request and the
worker's take minutes each, ~0.5 ms a row). Prints JSON and a Markdown table. The queued
exports are removed again at the end.
"""

import argparse
import io
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

from home_bench import client_for, prepare  # noqa: E402 (bench/ on the path first)


def _rows(content: bytes) -> int:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return sum(1 for _ in book.worksheets[0].iter_rows()) - 1


def measure(client, label: str, url: str, query: dict, runs: int, clicks_only: bool) -> dict:

    from dangjian.access import background_exports
    from dangjian.access.models import ExportFile

    rows = in_request = made = None
    if not clicks_only:
        rows, in_request = _in_request(client, url, query)
    clicks = _clicks(client, url, query, runs)
    export = ExportFile.objects.filter(status=ExportFile.Status.QUEUED).latest("pk")
    if not clicks_only:
        made = _made(export, rows)
        export.refresh_from_db()
    for queued in ExportFile.objects.all():
        background_exports.file_path(queued).unlink(missing_ok=True)
    ExportFile.objects.all().delete()
    return {
        "export": label,
        "rows": rows,
        "in_request_s": round(in_request, 2) if in_request else None,
        "click_median_ms": round(statistics.median(clicks) * 1000, 1),
        "click_p95_ms": round(sorted(clicks)[max(0, int(len(clicks) * 0.95 + 0.5) - 1)] * 1000, 1),
        "worker_s": round(made, 2) if made else None,
        "file_mb": round((export.size or 0) / 1e6, 1),
    }


def _in_request(client, url, query):
    """The whole export in the request, as before ``background_exports``: (rows, seconds)."""
    from django.test import override_settings

    with override_settings(EXPORT_IN_REQUEST_ROWS=10**9):
        start = time.perf_counter()
        response = client.get(url, query, secure=True)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        in_request = time.perf_counter() - start
    assert response.status_code == 200, (url, response.status_code)
    return _rows(content), in_request


def _clicks(client, url, query, runs):
    """The click now, answered with a redirect to 我的导出 (the task is queued on commit;
    with the database backend nothing runs until a worker takes it): seconds of each."""
    clicks = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        response = client.get(url, query, secure=True)
        clicks.append(time.perf_counter() - start)
        assert response.status_code == 302, (url, response.status_code)
    return clicks[1:]  # the first warms the caches


def _made(export, rows):
    """The worker's part for one queued export: seconds; its rows must be the request's."""
    from dangjian.access import background_exports
    from dangjian.access.models import ExportFile
    from dangjian.core import sealed

    start = time.perf_counter()
    background_exports.make(export.pk)
    made = time.perf_counter() - start
    export.refresh_from_db()
    assert export.status == ExportFile.Status.DONE, export.message
    with sealed.open_read(background_exports.file_path(export)) as fh:
        made_rows = _rows(fh.read())
    assert made_rows == rows, (made_rows, rows)
    return made


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url")
    parser.add_argument("--var")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--click-only", action="store_true")
    args = parser.parse_args()
    built = prepare(args.scale, args.var, args.database_url, "exports_bench_", args.reuse)

    from django.urls import reverse

    officer = client_for("officer")
    exports = [
        ("member roster (党员名册)", reverse("party:member_list"), {"export": "xlsx"}),
        ("member ledger, masked", reverse("ledgers:export_members"), {}),
        ("member units' ledger", reverse("ledgers:export_organizations"), {}),
    ]
    results = [
        measure(officer, label, url, query, args.runs, args.click_only)
        for label, url, query in exports
    ]
    load = os.getloadavg()
    print(
        json.dumps(
            {"built_s": built, "load": load, "results": results}, ensure_ascii=False, indent=1
        )
    )
    print(
        "| export | rows | in the request (before) | the click now, median / p95 | the worker | file |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['export']} | {r['rows'] or '—'} | {r['in_request_s'] or '—'} s | "
            f"{r['click_median_ms']} / {r['click_p95_ms']} ms | {r['worker_s'] or '—'} s | "
            f"{r['file_mb']} MB |"
        )


if __name__ == "__main__":
    main()
