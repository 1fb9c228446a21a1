"""The dashboard and big screen at scale (issue 16: < 300 ms server time p95 at 100,000 units).

    nice .venv/bin/python bench/dashboard_bench.py [--scale 100000] [--var DIR] [--repeat 20]
        [--database-url URL --reuse]

Builds the demo plus N synthetic units into a fresh SQLite file (``dangjian demo --scale``;
``--var`` reuses a folder built before), then, signed in as the demo federation's officer
through Django's test client (server time: view, queries and template, no network):

1. the dashboard with no snapshot for the day — every panel computed live (the baseline);
2. the nightly ``dashboard_snapshot`` command for the demo federation (its cost, once a night);
3. the dashboard, the big screen and its JSON refresh reading the snapshot — the pages as
   users get them, timed ``--repeat`` times after a warm-up: median and p95;

and prints the ratio of 1 to 3 measured in the same run, the queries per page and the load.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time


def load_avg() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--database-url")
    parser.add_argument("--var", help="reuse a var/ folder built by an earlier run")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="the database (--database-url, with --var's keys) already holds the built demo",
    )
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--live-repeat", type=int, default=2)
    args = parser.parse_args()
    var = args.var or tempfile.mkdtemp(prefix="dangjian-dash-bench-")
    reuse = args.reuse or (bool(args.var) and os.path.exists(f"{var}/bench.sqlite3"))
    os.environ["DANGJIAN_VAR_DIR"] = var
    os.environ["DANGJIAN_DATABASE_URL"] = args.database_url or f"sqlite:///{var}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    os.environ["DANGJIAN_DEMO"] = "1"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.utils import timezone

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    started = time.monotonic()
    if not reuse:
        call_command("demo", "--scale", str(args.scale))
    build_seconds = time.monotonic() - started

    from django.contrib.auth import get_user_model

    from dangjian.dashboard.models import PanelSnapshot
    from dangjian.party.models import PartyMember, PartyOrganization
    from dangjian.registry.models import Federation, Organization

    fed = Federation.objects.get(short_name="津网联")
    today = timezone.localdate()
    client = Client()
    client.force_login(get_user_model().objects.get(username="officer"))
    sizes = {
        "organizations": Organization.objects.count(),
        "party_members": PartyMember.objects.count(),
        "party_organizations": PartyOrganization.objects.count(),
    }
    print(f"built in {build_seconds:.0f} s (0 = reused); {sizes}; load {load_avg()}")

    def timed(url, n):
        times, cpu, queries = [], [], 0
        for _ in range(n):
            with CaptureQueriesContext(connection) as ctx:
                t0, c0 = time.perf_counter(), time.process_time()
                response = client.get(url)
                times.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            queries = len(ctx.captured_queries)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        return {
            "median": statistics.median(times),
            "p95": p95,
            "max": times[-1],
            "cpu_median": statistics.median(cpu),
            "cpu_p95": sorted(cpu)[min(len(cpu) - 1, round(0.95 * (len(cpu) - 1)))],
            "queries": queries,
        }

    day = today.isoformat()
    page = f"/dashboard/?federation={fed.pk}&day={day}"
    PanelSnapshot.objects.filter(federation=fed, day=today).delete()
    results = {"live dashboard (no snapshot)": timed(page, args.live_repeat)}
    t0 = time.perf_counter()
    call_command("dashboard_snapshot", "--federation", str(fed.pk), "--day", today.isoformat())
    snapshot_seconds = time.perf_counter() - t0
    for label, url in (
        ("dashboard (snapshot)", page),
        ("big screen (snapshot)", f"/dashboard/screen/?federation={fed.pk}&day={day}"),
        ("big screen refresh, JSON (snapshot)", f"/dashboard/data/?federation={fed.pk}&day={day}"),
    ):
        client.get(url)
        results[label] = timed(url, args.repeat)
    live = results["live dashboard (no snapshot)"]["median"]
    snap = results["dashboard (snapshot)"]["median"]
    print(f"nightly snapshot of the federation: {snapshot_seconds:.1f} s; load {load_avg()}")
    print(
        "| page | median ms | p95 ms | max ms | CPU median ms | CPU p95 ms | queries |\n"
        "|---|---:|---:|---:|---:|---:|---:|"
    )
    for label, r in results.items():
        print(
            f"| {label} | {r['median']:.0f} | {r['p95']:.0f} | {r['max']:.0f} "
            f"| {r['cpu_median']:.0f} | {r['cpu_p95']:.0f} | {r['queries']} |"
        )
    print(f"ratio live / snapshot (medians, same run): {live / snap:.0f}×")
    print(
        json.dumps(
            {
                "scale": args.scale,
                "sizes": sizes,
                "build_s": round(build_seconds),
                "snapshot_s": round(snapshot_seconds, 1),
                "results": results,
                "load": load_avg(),
                "database": settings.DATABASES["default"]["ENGINE"],
            }
        )
    )


if __name__ == "__main__":
    sys.exit(main())
