"""Benchmark of the rulebook and coverage engine (issue 4).

    .venv/bin/python bench/rules_bench.py --db sqlite:////tmp/bench.sqlite3 --units 100000 --budget 1200
    .venv/bin/python bench/rules_bench.py --db postgres://postgres@127.0.0.1:5432/dangjian_bench ...

1. generate (unless --measure-only): migrate, the demo federation, then synthetic units with the
   demo generator in chunks of 1,000 until --units or the --budget seconds are used up;
2. measure, on the same database:
   * floor — one hand-written SQL GROUP BY of meetings per party organization and quarter
     (strftime on SQLite, date_trunc on PostgreSQL), all rows fetched;
   * the full rulebook run on an empty findings table (no rule state: every rule evaluated);
   * the re-run with nothing changed (rules whose inputs did not change are skipped), and the
     cost of the input digest it starts with;
   * the forced re-run (every rule evaluated again and compared with its findings);
   * coverage for one scope and date (the whole federation; and one category), and one
     coverage snapshot (the whole federation and every dimension);
3. print the figures and ratios as JSON and a Markdown row (--out appends it to a file).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def setup(db_url: str):
    os.environ["DANGJIAN_DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    import django

    django.setup()


def generate(units: int, budget: float, seed: int) -> dict:
    from django.core.management import call_command

    from dangjian.demo import synthetic
    from dangjian.registry.models import Federation, Organization

    call_command("migrate", verbosity=0)
    if not Federation.objects.filter(short_name="津网联").exists():
        call_command("demo", "--no-migrate")
    fed = Federation.objects.get(short_name="津网联")
    have = Organization.objects.filter(name__startswith="（合成）").count()
    started = time.monotonic()
    chunk = 1000
    while have < units and time.monotonic() - started < budget:
        synthetic.generate(fed, min(chunk, units - have), seed=seed + have, progress=False)
        have += min(chunk, units - have)
        print(f"  {have} units, {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    return {"generated_units": have, "generation_seconds": round(time.monotonic() - started)}


def sizes() -> dict:
    from dangjian.orglife.models import Meeting
    from dangjian.party.models import PartyMember, PartyOrganization
    from dangjian.registry.models import Organization

    return {
        "units": Organization.objects.count(),
        "members": PartyMember.objects.count(),
        "party_organizations": PartyOrganization.objects.count(),
        "meetings": Meeting.objects.count(),
    }


def say(text):
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def timed(fn, repeat: int = 1):
    best = None
    result = None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - t
        best = elapsed if best is None else min(best, elapsed)
    return best, result


def floor_query():
    from django.db import connection

    if connection.vendor == "sqlite":
        sql = (
            "SELECT party_organization_id, strftime('%Y', held_on) AS y, "
            "(CAST(strftime('%m', held_on) AS INTEGER) + 2) / 3 AS q, COUNT(*) "
            "FROM orglife_meeting GROUP BY party_organization_id, y, q"
        )
    else:
        sql = (
            "SELECT party_organization_id, date_trunc('quarter', held_on) AS q, COUNT(*) "
            "FROM orglife_meeting GROUP BY party_organization_id, q"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return len(cursor.fetchall())


def measure(repeat: int) -> dict:
    from django.db import connection
    from django.utils import timezone

    from dangjian.registry.models import Federation
    from dangjian.rules.coverage import Scope, as_of, compute, take_snapshot
    from dangjian.rules.engine import Engine
    from dangjian.rules.freshness import input_state
    from dangjian.rules.models import Finding, RuleState

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    fed = Federation.objects.get(short_name="津网联")
    today = timezone.localdate()
    Engine(fed, today)  # import the rule kinds outside the timings
    floor_query()  # warm the cache: every figure below is measured warm
    say("floor")
    floor, groups = timed(floor_query, repeat)
    Finding.objects.all().delete()
    RuleState.objects.all().delete()
    loads = [load()]
    say(f"floor {floor:.2f} s; full run")
    full, results = timed(lambda: Engine(fed, today).run())
    found = sum(r.found for r in results)
    by_rule = {r.rule_id: r.found for r in results}
    loads.append(load())
    say(f"full run {full:.2f} s; re-run")
    rerun, results2 = timed(lambda: Engine(fed, today).run(), repeat)
    created_again = sum(r.created for r in results2)
    skipped = sum(r.skipped for r in results2)
    digest, _ = timed(input_state, repeat)
    say(f"re-run {rerun:.2f} s; forced re-run")
    forced, results3 = timed(lambda: Engine(fed, today).run(force=True))
    changed = sum(r.created + r.updated + r.resolved + r.reopened for r in results3)
    loads.append(load())
    say(f"forced re-run {forced:.2f} s; coverage")
    cov, rates = timed(lambda: compute(Scope(fed), today), max(repeat, 3))
    cov_cat, _ = timed(lambda: compute(Scope(fed, category="association"), today), max(repeat, 3))
    snap, snap_rows = timed(lambda: take_snapshot(fed, today))
    month_end = today.replace(day=1) - datetime.timedelta(days=1)
    take_snapshot(fed, month_end)
    past, _ = timed(lambda: as_of(Scope(fed), month_end), max(repeat, 3))
    say("per rule")
    per_rule = {}
    engine = Engine(fed, today)
    for rule_id in engine.rule_ids:
        per_rule[rule_id] = round(timed(lambda r=rule_id: engine.evaluate_rule(r))[0], 3)
    loads.append(load())
    return {
        "floor_s": round(floor, 3),
        "floor_groups": groups,
        "full_run_s": round(full, 3),
        "full_ratio": round(full / floor, 2),
        "findings": found,
        "findings_by_rule": by_rule,
        "rerun_s": round(rerun, 3),
        "rerun_ratio": round(rerun / floor, 2),
        "rerun_new_rows": created_again,
        "rerun_rules_skipped": skipped,
        "input_digest_s": round(digest, 3),
        "forced_rerun_s": round(forced, 3),
        "forced_rerun_ratio": round(forced / floor, 2),
        "forced_rerun_rows_changed": changed,
        "coverage_ms": round(cov * 1000, 1),
        "coverage_category_ms": round(cov_cat * 1000, 1),
        "coverage": rates.as_dict(),
        "coverage_snapshot_ms": round(snap * 1000, 1),
        "coverage_snapshot_rows": snap_rows,
        "coverage_past_month_end_from_snapshot_ms": round(past * 1000, 1),
        "per_rule_evaluate_s": per_rule,
        "load_average_1_5_15": loads,
    }


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--budget", type=float, default=1200, help="generation seconds")
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--measure-only", action="store_true")
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--out", help="append the JSON result to this file")
    args = parser.parse_args()
    setup(args.db)
    from django.db import connection

    info = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
    }
    if not args.measure_only:
        info |= generate(args.units, args.budget, args.seed)
    info["database"] = connection.vendor
    info |= sizes()
    if not args.generate_only:
        info |= measure(args.repeat)
    text = json.dumps(info, ensure_ascii=False, indent=1)
    print(text)
    if args.out:
        with open(args.out, "a", encoding="utf-8") as fh:
            fh.write(text + "\n")


if __name__ == "__main__":
    main()
