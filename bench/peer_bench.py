"""The engine against the analyst (issue 15): the same answers, timed in one run.

    nice .venv/bin/python bench/peer_bench.py --db sqlite:////tmp/peer.sqlite3 --units 20000

1. generate (unless --measure-only): the demo federation and synthetic units
   (``rules_bench.generate``, the demo generator);
2. export the tables the answers need to Parquet (not timed: it stands for the export the
   analyst is given) and time ``bench/peer.py`` (pandas) reading them — best of ``--repeat``;
3. time, on the same database and in the same process:
   * like for like: the engine restricted to the two rules that give those answers
     (``formation.required_not_formed``, ``orglife.irregular``), findings written from an empty
     table (on PostgreSQL vacuumed after the delete, as autovacuum leaves it; the same kind is
     measured unvacuumed too), plus the organizational coverage of the federation as the
     application answers it (``rules.coverage.as_of``: the day's kept figures, followed as
     the facts change; the part ``coverage_counted`` is ``rules.coverage.compute``, every
     unit counted from the facts);
     the answers are compared with the peer's (coverage, the 应建未建 units, and every
     (branch, quarter) without a counted general meeting); each part alone; and the same with
     the organizational-life rule restricted by a federation override to the peer's one
     meeting kind (as shipped it judges six); that once more with the rules evaluated one
     after the other (``DANGJIAN_RULE_WORKERS=1``; the runs before evaluate them side by
     side, ``rules.parallel``) — ``--like-only`` stops here;
   * the full rulebook from an empty findings table, every finding with its explanation; and
     its write's floor: the rows it wrote (findings, observations, status changes) deleted and
     inserted back from a copy by the database alone, foreign keys checked at the commit;
   * the unchanged re-run (same day) — on PostgreSQL again once the findings table is
     vacuumed, as autovacuum leaves it;
   * one meeting recorded through ``orglife.services.record_meetings_bulk`` (journaled), then
     the follow run (``follow_only``: what ``rules.tasks.follow_facts`` does after a write);
     then the rest of ``--changes`` meetings, the follow run again, and the incremental run
     (same day: what the follow runs left — every rule that reads meetings is judged per
     touched subject, so the follow runs take them and the day's run skips them; the work
     after 1,000 changes is the follow run's and the day's together);
   * the next day's run (the nightly job): the day before run from an empty findings table,
     then today's run timed — every rule evaluated whole, every finding moved to the day —
     and the rows of observations it added;
   * the SQL floor: one GROUP BY of the checked years' meetings per (party organization,
     kind, quarter) with the engine's own period expression, every group fetched;
4. print JSON with the machine (CPU model), load averages, date and data size.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import peer  # noqa: E402
import rules_bench  # noqa: E402
from machine import cpu_model  # noqa: E402

RNF, ORG = "formation.required_not_formed", "orglife.irregular"


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def say(text):
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def timed(fn, repeat: int = 1):
    best, result = None, None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - t
        best = elapsed if best is None else min(best, elapsed)
    return best, result


def export(folder: Path) -> dict:
    """The tables the answers need, as the analyst receives them (dates as timestamps)."""
    import pandas as pd
    from django.db import connection

    sources = {
        "federation": "registry_federation",
        "membership": "registry_membership",
        "coverage": "party_coverage",
        "employment": "party_employment",
        "member": "party_partymember",
        "party_org": "party_partyorganization",
        "meeting": "orglife_meeting",
    }
    renames = {"party_org": {}, "member": {}}
    sizes = {}
    for name, table in sources.items():
        columns = peer.TABLES[name]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(columns)} FROM {table}")
            df = pd.DataFrame(cursor.fetchall(), columns=list(columns))
        df = df.rename(columns=renames.get(name, {}))
        for col in df.columns:
            if col in {"valid_from", "valid_to", "full_member_on", "left_on", "held_on"}:
                df[col] = pd.to_datetime(df[col])
        if "counts" in df.columns:
            df["counts"] = df["counts"].astype(bool)
        df.to_parquet(folder / f"{name}.parquet", index=False)
        sizes[name] = len(df)
    return sizes


def engine_answers(fed, today) -> dict:
    from dangjian.rules.models import Finding

    required = sorted(
        Finding.objects.filter(rule_id=RNF, federation__path__startswith=fed.path)
        .open()
        .values_list("organization_id", flat=True)
    )
    missing = []
    for po, evidence in (
        Finding.objects.filter(rule_id=ORG, federation__path__startswith=fed.path)
        .open()
        .values_list("party_organization_id", "evidence")
    ):
        for code in evidence["missing"].get("general_meeting", {}).get("missing", []):
            missing.append((po, code))
    return {"required_not_formed": required, "missing_general_meetings": sorted(missing)}


def floor_query(lo: datetime.date, hi: datetime.date) -> int:
    from django.db import connection

    from dangjian.rulebook.periods import sql_month_index

    sql = (
        f"SELECT party_organization_id, kind, {sql_month_index('held_on')} / 3 AS q, COUNT(*) "
        "FROM orglife_meeting WHERE held_on >= %s AND held_on <= %s AND counts "
        "GROUP BY party_organization_id, kind, q"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [lo, hi])
        return len(cursor.fetchall())


# The tables a first run fills, in the order their rows refer to each other.
FINDING_TABLES = ("rules_finding", "rules_findingobservation", "rules_findingstatuschange")


def write_floor() -> tuple[float, int]:
    """The database's own work of writing the findings as they stand and their rows of
    observations and status changes: the same rows deleted and inserted back from a copy by
    ``INSERT … SELECT`` in one transaction, the foreign keys checked at its commit — no
    Python, no rule evaluated. After the full run from empty findings this is that run's
    write with everything else taken away: the time no evaluation, however fast, can go
    under. Returns (seconds, rows); the findings are the same rows, ids and all, after."""
    from django.db import connection, transaction

    def run(sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)

    rows = 0
    for table in FINDING_TABLES:
        run(f"CREATE TABLE bench_copy_{table} AS SELECT * FROM {table}")  # noqa: S608
    try:
        with connection.cursor() as cursor:
            for table in FINDING_TABLES:
                cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
                rows += cursor.fetchone()[0]
        with transaction.atomic():
            for table in reversed(FINDING_TABLES):
                run(f"DELETE FROM {table}")  # noqa: S608
        if connection.vendor == "postgresql":  # as ``emptied`` leaves them
            for table in FINDING_TABLES:
                run(f"VACUUM {table}")
        started = time.perf_counter()
        with transaction.atomic():
            for table in FINDING_TABLES:
                run(f"INSERT INTO {table} SELECT * FROM bench_copy_{table}")  # noqa: S608
        return time.perf_counter() - started, rows
    finally:
        for table in FINDING_TABLES:
            run(f"DROP TABLE bench_copy_{table}")


def measure(repeat: int, changes: int, like_only: bool = False) -> dict:
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from dangjian.orglife import services as orglife
    from dangjian.party.models import PartyOrganization
    from dangjian.registry.models import Federation
    from dangjian.rulebook import params
    from dangjian.rulebook.periods import period_code
    from dangjian.rules.coverage import Scope, as_of, compute
    from dangjian.rules.engine import Engine
    from dangjian.rules.models import Finding, FindingObservation, RuleState

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    fed = Federation.objects.get(short_name="津网联")
    today = timezone.localdate()
    Engine(fed, today)  # the rule kinds imported outside the timings
    out: dict = {"loads": [load()]}

    # The analyst.
    folder = Path(tempfile.mkdtemp(prefix="peer_"))
    say("export")
    out["export_s"], out["exported_rows"] = timed(lambda: export(folder))
    min_full = params.value(RNF, "min_full_members", day=today, federation=fed)
    lookback = params.value(ORG, "lookback_years", day=today, federation=fed)
    say("peer")
    peer_s, answer = timed(
        lambda: peer.analyse(folder, today, fed.pk, min_full=min_full, lookback=lookback), repeat
    )
    out["peer_s"] = round(peer_s, 3)

    def emptied(rule_ids: list[str] | None, vacuum: bool = True) -> None:
        """The rules' findings deleted (all: ``None``). On PostgreSQL the findings' tables are
        then vacuumed, as a server's autovacuum does within a minute of so large a delete
        (this machine's server runs without it), so that the run starts from a table as
        empty as a new federation's first run finds it, not one full of deleted rows whose
        index entries carry the same (rule, subject, period) keys. ``vacuum=False`` measures
        the other case too (no difference the runs could show so far: RESULTS, twenty-second
        pass)."""
        findings = Finding.objects.all()
        states = RuleState.objects.all()
        if rule_ids is not None:
            findings = findings.filter(rule_id__in=rule_ids)
            states = states.filter(rule_id__in=rule_ids)
        findings.delete()
        states.delete()
        if vacuum and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for table in ("rules_finding", "rules_findingobservation"):
                    cursor.execute(f"VACUUM {table}")

    # Like for like.
    def like_for_like(vacuum: bool = True):
        emptied([RNF, ORG], vacuum)
        t = time.perf_counter()
        Engine(fed, today, rule_ids=[RNF, ORG]).run()
        rates = as_of(Scope(fed), today)
        return time.perf_counter() - t, rates

    # The day's coverage figures as the nightly job leaves them (counted whole once a day;
    # followed unit by unit after a write): their first count is timed apart.
    from dangjian.rules.models import CoverageDay

    CoverageDay.objects.filter(federation=fed, day=today).delete()
    out["coverage_first_count_of_day_s"] = round(timed(lambda: as_of(Scope(fed), today))[0], 3)
    say("engine, like for like")
    runs = [like_for_like() for _ in range(repeat)]
    out["like_for_like_runs_s"] = [round(t, 3) for t, _ in runs]
    engine_s = min(t for t, _ in runs)
    rates = runs[-1][1]
    mine = engine_answers(fed, today)
    theirs_missing = sorted(
        (po, period_code(q, "quarter")) for po, q in answer["missing_general_meetings"]
    )
    out["answers"] = {
        "coverage_engine": [rates.organizational, rates.total, rates.organizational_rate],
        "coverage_peer": [answer["covered"], answer["units"], answer["organizational_rate"]],
        "required_not_formed": [
            len(mine["required_not_formed"]),
            len(answer["required_not_formed"]),
        ],
        "missing_general_meetings": [
            len(mine["missing_general_meetings"]),
            len(theirs_missing),
        ],
        "identical": (
            (rates.organizational, rates.total) == (answer["covered"], answer["units"])
            and mine["required_not_formed"] == answer["required_not_formed"]
            and mine["missing_general_meetings"] == theirs_missing
        ),
    }
    out["like_for_like_s"] = round(engine_s, 3)
    out["like_for_like_ratio"] = round(engine_s / peer_s, 2)
    # Where the time goes: each rule evaluated alone (no findings written) and the coverage.
    parts = {
        RNF: lambda: Engine(fed, today).evaluate_rule(RNF),
        ORG: lambda: Engine(fed, today).evaluate_rule(ORG),
        "coverage": lambda: as_of(Scope(fed), today),
        "coverage_counted": lambda: compute(Scope(fed), today),
    }
    out["like_for_like_parts_s"] = {
        name: round(timed(part, repeat)[0], 3) for name, part in parts.items()
    }
    # The same work as the peer's: the organizational-life rule judges six meeting kinds as
    # shipped, the peer one (the general meeting per quarter). A federation override applying
    # the other requirements to no organization kind makes the two the same work.
    from dangjian.rulebook.models import RuleOverride

    shipped = params.value(ORG, "requirements", day=today, federation=fed)
    override = RuleOverride.objects.create(
        federation=fed,
        rule_id=ORG,
        parameters={
            "requirements": {k: {"applies_to": []} for k in shipped if k != "general_meeting"}
        },
        valid_from=datetime.date(2018, 10, 28),
        note="bench: the peer's meeting kind only",
    )
    try:
        say("engine, like for like, the peer's meeting kind only")
        same = [like_for_like() for _ in range(repeat)]
        same_s = min(t for t, _ in same)
        mine_same = engine_answers(fed, today)
        out["like_for_like_same_kind_s"] = round(same_s, 3)
        out["like_for_like_same_kind_ratio"] = round(same_s / peer_s, 2)
        out["like_for_like_same_kind_identical"] = mine_same == mine
        if connection.vendor == "postgresql":
            say("engine, like for like, the peer's meeting kind only, not vacuumed")
            dirty = min(t for t, _ in (like_for_like(vacuum=False) for _ in range(repeat)))
            out["like_for_like_same_kind_not_vacuumed_s"] = round(dirty, 3)
            out["like_for_like_same_kind_not_vacuumed_ratio"] = round(dirty / peer_s, 2)
        # The same, the rules evaluated one after the other (``DANGJIAN_RULE_WORKERS=1``):
        # what the run's second thread (``rules.parallel``) is worth.
        from django.test import override_settings

        out["rule_workers"] = settings.RULE_WORKERS
        with override_settings(RULE_WORKERS=1):
            say("engine, like for like, the peer's meeting kind only, one thread")
            single = min(t for t, _ in (like_for_like() for _ in range(repeat)))
        out["like_for_like_same_kind_one_thread_s"] = round(single, 3)
        out["like_for_like_same_kind_one_thread_ratio"] = round(single / peer_s, 2)
    finally:
        override.delete()
        Finding.objects.filter(rule_id__in=[RNF, ORG]).delete()
        RuleState.objects.filter(rule_id__in=[RNF, ORG]).delete()
        Engine(fed, today, rule_ids=[RNF, ORG]).run()
    out["loads"].append(load())
    if like_only:
        return out

    # The full rulebook from an empty findings table.
    say("full rulebook")
    emptied(None)
    full_s, results = timed(lambda: Engine(fed, today).run())
    out["full_s"] = round(full_s, 3)
    out["full_ratio"] = round(full_s / peer_s, 2)
    out["full_rule_workers"] = settings.RULE_WORKERS
    out["findings"] = sum(r.found for r in results)
    out["rules"] = len(results)
    # The floor of that run's write: the same rows inserted back by the database alone.
    floor_w = min(write_floor() for _ in range(repeat))
    out["full_write_floor_s"] = round(floor_w[0], 3)
    out["full_write_floor_rows"] = floor_w[1]
    out["full_write_floor_ratio"] = round(floor_w[0] / peer_s, 2)

    say("unchanged re-run")
    rerun_s, results = timed(lambda: Engine(fed, today).run(), repeat)
    out["rerun_s"] = round(rerun_s, 3)
    out["rerun_ratio"] = round(rerun_s / peer_s, 3)
    out["rerun_skipped"] = sum(r.skipped for r in results)
    if connection.vendor == "postgresql":
        # The full run rewrote the findings: until (auto)vacuum has marked their pages
        # visible, each run's digest of them fetches every row's page (this machine's server
        # runs with autovacuum off; a production server's would vacuum within a minute).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE rules_finding")
        rerun_v = timed(lambda: Engine(fed, today).run(), repeat)[0]
        out["rerun_vacuumed_s"] = round(rerun_v, 3)
        out["rerun_vacuumed_ratio"] = round(rerun_v / peer_s, 3)
    out["loads"].append(load())

    say(f"{changes} meetings recorded, incremental run")
    rng = random.Random(15)
    branches = list(
        PartyOrganization.objects.filter(
            federation__path__startswith=fed.path, valid_to__isnull=True, kind="branch"
        ).values_list("pk", flat=True)
    )
    kinds = ["general_meeting", "party_lesson", "theme_day", "committee_meeting"]
    rows = [
        {
            "party_organization_id": rng.choice(branches),
            "kind": rng.choice(kinds),
            "held_on": today - datetime.timedelta(days=rng.randrange(1, 500)),
        }
        for _ in range(changes)
    ]
    # One meeting recorded: what the follow task does after a secretary's write.
    orglife.record_meetings_bulk(rows[:1], actor=None, note="bench")
    follow_one_s, _ = timed(lambda: Engine(fed, today).run(follow_only=True))
    out["follow_one_meeting_s"] = round(follow_one_s, 3)
    orglife.record_meetings_bulk(rows[1:], actor=None, note="bench")
    follow_s, _ = timed(lambda: Engine(fed, today).run(follow_only=True))
    out["follow_after_changes_s"] = round(follow_s, 3)
    # The run after the changes (the rules that read meetings and cannot be judged per
    # branch are still due: the follow runs left them).
    inc_s, results = timed(lambda: Engine(fed, today).run())
    by_rule = {r.rule_id: r for r in results}
    out["incremental_s"] = round(inc_s, 3)
    out["incremental_ratio"] = round(inc_s / peer_s, 3)
    out["incremental_rules"] = {
        "skipped": sum(r.skipped for r in results),
        "by_subject": [r.rule_id for r in results if r.subjects is not None],
        "whole": [r.rule_id for r in results if not r.skipped and r.subjects is None],
        "org_subjects": len(by_rule[ORG].subjects or ()),
    }
    say("forced run after the incremental one (must change nothing)")
    forced = Engine(fed, today).run(force=True)
    out["forced_after_incremental_changes"] = sum(
        r.created + r.updated + r.resolved + r.reopened for r in forced
    )
    out["loads"].append(load())

    # The nightly run: the day after a whole run, every rule's window has moved, so each is
    # evaluated whole and every finding found again is moved to the day, its run of
    # observations extended where its text stayed the same (here the day before is run from
    # an empty table, not timed, and then today). The rows of observations it added are
    # counted: what a night costs the disk.
    say("the next day's run")
    emptied(None)
    Engine(fed, today - datetime.timedelta(days=1)).run()
    rows_before = FindingObservation.objects.count()
    next_s, results = timed(lambda: Engine(fed, today).run())
    out["next_day_observation_rows_added"] = FindingObservation.objects.count() - rows_before
    out["next_day_s"] = round(next_s, 3)
    out["next_day_ratio"] = round(next_s / peer_s, 2)
    out["next_day_changes"] = {
        "created": sum(r.created for r in results),
        "updated": sum(r.updated for r in results),
        "resolved": sum(r.resolved for r in results),
        "unchanged": sum(r.unchanged for r in results),
    }
    out["loads"].append(load())

    say("floor")
    lo = datetime.date(today.year - lookback, 1, 1)
    floor_query(lo, today)
    floor_s, groups = timed(lambda: floor_query(lo, today), repeat)
    out["floor_s"] = round(floor_s, 3)
    out["floor_groups"] = groups
    orglife_s = timed(lambda: Engine(fed, today).evaluate_rule(ORG))[0]
    out["orglife_evaluate_s"] = round(orglife_s, 3)
    out["orglife_over_floor"] = round(orglife_s / floor_s, 2)
    out["loads"].append(load())
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--units", type=int, default=20_000)
    parser.add_argument("--budget", type=float, default=300, help="generation seconds")
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--measure-only", action="store_true")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--changes", type=int, default=1000)
    parser.add_argument("--out", help="append the JSON result to this file")
    parser.add_argument(
        "--like-only",
        action="store_true",
        help="the peer and like for like only (leaves the database as it found it)",
    )
    args = parser.parse_args()
    rules_bench.setup(args.db)
    from django.db import connection

    info = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}",
    }
    if not args.measure_only:
        info |= rules_bench.generate(args.units, args.budget, args.seed)
    info["database"] = connection.vendor
    info |= rules_bench.sizes()
    info |= measure(args.repeat, args.changes, args.like_only)
    text = json.dumps(info, ensure_ascii=False, indent=1)
    print(text)
    if args.out:
        with open(args.out, "a", encoding="utf-8") as fh:
            fh.write(text + "\n")


if __name__ == "__main__":
    main()
