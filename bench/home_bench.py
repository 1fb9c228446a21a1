"""Home pages per role at scale (issue 16: < 300 ms server time p95 at 100,000 units).

    nice .venv/bin/python bench/home_bench.py [--scale 100000] [--database-url URL] [--var DIR]
    nice .venv/bin/python bench/home_bench.py ... --reuse --profile officer  # the slowest queries

Builds the demo plus N synthetic units into a fresh database (a temporary SQLite file unless
--database-url is given; --var reuses a folder built by an earlier run), then renders each demo
persona's home page through Django's test client: one warm-up, then --runs requests, median
and p95. In the same run, as the baseline, the page the ledger roles landed on before issue 16
(the unit list's first page, as the officer), so the ratio home / unit list does not depend
on the machine's load. Prints JSON and a Markdown table.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

PERSONAS = [
    "officer",
    "admin",
    "secretary",
    "member",
    "liaison",
    "instructor",
    "authority",
    "expert",
    "auditor",
    "outsider",
]


def timed(client, url, runs, before=None):
    """(median, p95) ms of ``runs`` requests after one warm-up; ``before`` (untimed) runs ahead
    of each timed request."""
    client.get(url)  # warm-up (per-process caches: the rulebook, templates)
    times = []
    for _ in range(runs):
        if before is not None:
            before()
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return round(statistics.median(times), 1), round(p95, 1)


def prepare(
    scale: int, var: str | None, database_url: str | None, prefix: str, reuse: bool = False
) -> int:
    """Django set up on the demo plus ``scale`` synthetic units: built into a fresh database
    (a temporary SQLite file unless ``database_url`` is given), or reused from ``var`` when
    an earlier run (or ``dangjian demo --scale`` with that DANGJIAN_VAR_DIR) built it there.
    ``reuse``: the database at ``database_url`` already holds the demo built with ``var``'s
    keys (a PostgreSQL database built once). Returns the build's seconds (0 when reused).
    Other benchmarks import this."""
    var = var or tempfile.mkdtemp(prefix=prefix)
    reuse = reuse or os.path.exists(f"{var}/bench.sqlite3")
    os.environ["DANGJIAN_VAR_DIR"] = var
    os.environ["DANGJIAN_DATABASE_URL"] = database_url or f"sqlite:///{var}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    os.environ["DANGJIAN_DEMO"] = "1"
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    started = time.monotonic()
    if not reuse:
        call_command("demo", "--scale", str(scale))
    return round(time.monotonic() - started)


def client_for(username):
    """A test client signed in as a demo persona."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def profile(persona):
    """Where one home page's time goes: each query's own time, the slowest first."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = client_for(persona)
    client.get(reverse("home"))  # warm-up
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        client.get(reverse("home"))
        total = (time.perf_counter() - started) * 1000
    queries = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))
    spent = sum(float(q["time"]) for q in queries) * 1000
    print(f"home as {persona}: {total:.1f} ms, {len(queries)} queries, {spent:.1f} ms in them")
    for q in queries[:12]:
        print(f"{float(q['time']) * 1000:8.1f} ms  {q['sql'][:300]}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=100000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database-url")
    parser.add_argument("--var", help="reuse a var/ folder built by an earlier run")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="the database (--database-url, with --var's keys) already holds the built demo",
    )
    parser.add_argument(
        "--profile",
        metavar="PERSONA",
        help="instead of timing: one request as PERSONA (after a warm-up), its queries by time",
    )
    args = parser.parse_args()
    build_seconds = prepare(
        args.scale, args.var, args.database_url, "dangjian-home-bench-", args.reuse
    )
    if args.profile:
        profile(args.profile)
        return
    from django.conf import settings
    from django.urls import reverse

    from dangjian.registry.models import Organization

    load_before = os.getloadavg()[0]
    base_median, base_p95 = timed(
        client_for("officer"), reverse("registry:organization_list"), args.runs
    )
    rows = []
    for persona in PERSONAS:
        median, p95 = timed(client_for(persona), reverse("home"), args.runs)
        rows.append(
            {
                "page": f"home as {persona}",
                "median_ms": median,
                "p95_ms": p95,
                "ratio_to_unit_list": round(median / base_median, 2),
            }
        )
    result = {
        "units": Organization.objects.count(),
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "build_seconds": build_seconds,
        "runs": args.runs,
        "load": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "baseline": {
            "page": "unit list, first page (officer)",
            "median_ms": base_median,
            "p95_ms": base_p95,
        },
        "pages": rows,
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    print("| page | median ms | p95 ms | ratio to the unit list |")
    print("|---|---:|---:|---:|")
    print(f"| unit list, first page (officer) | {base_median} | {base_p95} | 1.00 |")
    for row in rows:
        print(
            f"| {row['page']} | {row['median_ms']} | {row['p95_ms']} | "
            f"{row['ratio_to_unit_list']:.2f} |"
        )


if __name__ == "__main__":
    main()
