"""Benchmark of the dues assessment (issue 14): a month's dues for N members, with base
history and reductions, against a hand-written SQL floor doing the same band arithmetic in one
INSERT … SELECT, in the same run on the same data; and the arrears rule over twelve months.

    .venv/bin/python bench/dues_bench.py --db sqlite:////tmp/dues_bench.sqlite3 --members 1000000
    .venv/bin/python bench/dues_bench.py --db postgres://postgres@127.0.0.1:5432/dues_bench ...

1. generate (unless --measure-only): migrate; one federation with a branch per 25 members;
   members inserted raw (``core.bulk``; no ID numbers: the assessment never reads them); each
   member declares a base from January of last year (category mix: 85 % employed with bases
   across every band and on its boundaries, 8 % retired, the rest fixed amounts), 20 % declare
   a second base from March of this year (a change of pay), 1 % have an approved reduction or
   exemption covering the month measured;
2. measure, each twice, the month's rows deleted between runs:
   * floor — one INSERT … SELECT: the latest base by correlated MAX, the bands as CASE, the
     rounding as integer arithmetic, the reduction by LEFT JOIN;
   * the system — ``dues.services.assess`` (members in keyset chunks, ``dues.assessment``'s
     one definition of the amount, rows through ``core.bulk``);
   and check both wrote the same rows (count, sum, and a checksum of member × amount);
3. with --arrears-months M: M months assessed and paid except by a few, then the arrears rule
   (``rules.kinds.dues`` through the engine's ``evaluate_rule``) against a floor that selects
   the unpaid months in one anti-join query;
4. print the figures as JSON (--out appends them to a file).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from machine import cpu_model  # noqa: E402

PER_BRANCH = 25


def setup(db_url: str):
    os.environ["DANGJIAN_DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    import django

    django.setup()


def say(text):
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def base_fen(rng: random.Random) -> int:
    """Bases across every band, a tenth of them on a boundary or one fen above it."""
    if rng.random() < 0.1:
        return rng.choice([300000, 300001, 500000, 500001, 1000000, 1000001])
    return rng.randrange(150000, 2500000)


def generate(members: int, seed: int, month: datetime.date) -> dict:
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from dangjian.core import bulk
    from dangjian.dues.models import DuesBase, DuesRelief
    from dangjian.party.models import PartyMember, PartyOrganization
    from dangjian.registry.models import Federation

    call_command("migrate", verbosity=0)
    if Federation.objects.filter(short_name="党费基准").exists():
        return {"generated": "kept"}
    rng = random.Random(seed)
    started = time.monotonic()
    fed = Federation.objects.create(name="党费基准测试联合会", short_name="党费基准", level="city")
    now = timezone.now()
    branches = members // PER_BRANCH + 1
    first_base = datetime.date(month.year - 1, 1, 1)
    change = datetime.date(month.year, 3, 1)
    with transaction.atomic(), bulk.roomy_cache(256):
        po_ids = bulk.reserve_ids(PartyOrganization, branches)
        bulk.insert(
            PartyOrganization,
            [
                "id",
                "created_at",
                "updated_at",
                "name",
                "kind",
                "federation_id",
                "valid_from",
                "formation_mode",
                "approval_doc_no",
                "status",
            ],
            [
                (
                    pk,
                    now,
                    now,
                    f"党费基准党支部{pk}",
                    "branch",
                    fed.pk,
                    datetime.date(2010, 1, 1),
                    "",
                    "",
                    "active",
                )
                for pk in po_ids
            ],
        )
        say(f"{branches} branches")
        chunk = 50_000
        for start in range(0, members, chunk):
            n = min(chunk, members - start)
            ids = bulk.reserve_ids(PartyMember, n)
            bulk.insert(
                PartyMember,
                [
                    "id",
                    "created_at",
                    "updated_at",
                    "name",
                    "gender",
                    "ethnicity",
                    "id_number",
                    "id_number_hash",
                    "phone",
                    "education",
                    "joined_party_on",
                    "relation_party_organization_id",
                    "relation_external",
                    "is_flowing",
                    "is_lost_contact",
                ],
                [
                    (
                        pk,
                        now,
                        now,
                        "基准党员",
                        "male",
                        "汉族",
                        "",
                        "",
                        "",
                        "",
                        datetime.date(2000 + pk % 20, 1 + pk % 12, 1),
                        po_ids[(start + i) // PER_BRANCH],
                        "",
                        False,
                        False,
                    )
                    for i, pk in enumerate(ids)
                ],
            )
            bases, reliefs = [], []
            for pk in ids:
                r = rng.random()
                if r < 0.85:
                    category, amount, fixed = "employed", base_fen(rng), None
                elif r < 0.93:
                    category, amount, fixed = "retired", rng.randrange(200000, 900000), None
                elif r < 0.95:
                    category, amount, fixed = "rural", None, rng.randrange(20, 101)
                else:
                    category, amount, fixed = (
                        rng.choice(["student", "unemployed", "relief"]),
                        None,
                        None,
                    )
                bases.append((now, now, pk, first_base, category, amount, fixed, first_base, ""))
                if category in ("employed", "retired") and rng.random() < 0.2:
                    bases.append((now, now, pk, change, category, base_fen(rng), None, change, ""))
                if rng.random() < 0.01:
                    exempt = rng.random() < 0.5
                    reliefs.append(
                        (
                            now,
                            now,
                            pk,
                            "exempt" if exempt else "reduced",
                            None if exempt else rng.randrange(0, 2000),
                            month,
                            month,
                            "基准",
                            month,
                            month,
                            "基准党委",
                        )
                    )
            bulk.insert(
                DuesBase,
                [
                    "created_at",
                    "updated_at",
                    "member_id",
                    "from_month",
                    "category",
                    "base_fen",
                    "fixed_fen",
                    "declared_on",
                    "note",
                ],
                bases,
            )
            bulk.insert(
                DuesRelief,
                [
                    "created_at",
                    "updated_at",
                    "member_id",
                    "kind",
                    "monthly_fen",
                    "first_month",
                    "last_month",
                    "reason",
                    "decided_on",
                    "approved_on",
                    "approved_by",
                ],
                reliefs,
            )
            say(f"  {start + n} members")
    return {"generation_seconds": round(time.monotonic() - started)}


def floor_sql() -> str:
    """The same arithmetic, hand-written: rates and amounts as the rulebook has them today."""
    rate = (
        "CASE b.category "
        "WHEN 'employed' THEN CASE WHEN b.base_fen <= 300000 THEN 50 WHEN b.base_fen <= 500000 "
        "THEN 100 WHEN b.base_fen <= 1000000 THEN 150 ELSE 200 END "
        "WHEN 'retired' THEN CASE WHEN b.base_fen <= 500000 THEN 50 ELSE 100 END END"
    )
    standard = (
        "CASE WHEN x.rate IS NOT NULL THEN (x.base_fen * x.rate * 2 + 10000) / 20000 "
        "WHEN x.category = 'rural' THEN COALESCE(x.fixed_fen, 20) ELSE 20 END"
    )
    return f"""
INSERT INTO dues_duesmonth (member_id, month, party_organization_id, category, base_fen, rate_bp,
                            standard_fen, due_fen, relief_id, assessed_on)
SELECT y.member_id, %s, y.po, y.category, y.base_fen, y.rate, y.standard,
       CASE WHEN y.kind = 'exempt' THEN 0
            WHEN y.kind = 'reduced' AND y.monthly_fen < y.standard THEN y.monthly_fen
            ELSE y.standard END,
       y.relief_id, %s
FROM (
  SELECT x.*, {standard} AS standard FROM (
    SELECT m.id AS member_id, m.relation_party_organization_id AS po, b.category, b.base_fen,
           b.fixed_fen, {rate} AS rate, r.id AS relief_id, r.kind, r.monthly_fen
    FROM party_partymember m
    JOIN dues_duesbase b ON b.member_id = m.id AND b.from_month = (
      SELECT MAX(b2.from_month) FROM dues_duesbase b2 WHERE b2.member_id = m.id AND b2.from_month <= %s)
    LEFT JOIN dues_duesrelief r ON r.member_id = m.id AND r.approved_on IS NOT NULL
      AND r.first_month <= %s AND r.last_month >= %s
    WHERE m.relation_party_organization_id IN (
            SELECT id FROM party_partyorganization WHERE federation_id = %s)
      AND m.joined_party_on <= %s AND (m.left_on IS NULL OR m.left_on > %s)
      AND m.anonymised_at IS NULL
  ) x
) y
"""


def checksum(month) -> tuple:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), SUM(due_fen), SUM(standard_fen), SUM((member_id %% 9973) * due_fen) "
            "FROM dues_duesmonth WHERE month = %s",
            [month],
        )
        return tuple(int(v or 0) for v in cursor.fetchone())


def clear(month) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM dues_duesmonth WHERE month = %s", [month])


def measure_month(month: datetime.date, repeat: int) -> dict:
    from django.db import connection, transaction

    from dangjian.dues import queries, services
    from dangjian.party.models import PartyOrganization
    from dangjian.registry.models import Federation

    fed = Federation.objects.get(short_name="党费基准")
    end = queries.month_end(month)
    today = datetime.date.today()
    sql = floor_sql()
    args = [month, today, month, month, month, fed.pk, end, end]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    result: dict = {"floor_s": [], "system_s": [], "loads": [load()]}
    sums = {}
    for _ in range(repeat):
        clear(month)
        say("floor")
        t = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, args)
        result["floor_s"].append(round(time.perf_counter() - t, 2))
        sums["floor"] = checksum(month)
        clear(month)
        say(f"floor {result['floor_s'][-1]} s; the system")
        t = time.perf_counter()
        assessed = services.assess(
            PartyOrganization.objects.filter(federation=fed), [month], actor=None, today=today
        )
        result["system_s"].append(round(time.perf_counter() - t, 2))
        sums["system"] = checksum(month)
        say(f"system {result['system_s'][-1]} s")
        result["loads"].append(load())
    result["rows"] = assessed.created
    result["same_rows"] = sums["floor"] == sums["system"]
    result["checksums"] = sums
    result["ratio_best"] = round(min(result["system_s"]) / min(result["floor_s"]), 2)
    return result


def measure_arrears(month: datetime.date, months: int, seed: int) -> dict:
    """``months`` months ending with ``month`` assessed and paid (each month 1 % of the members
    leave it unpaid; 0.3 % stop paying for the last seven); then the rule and a floor."""
    from django.db import connection, transaction
    from django.utils import timezone

    from dangjian.core import bulk
    from dangjian.dues import queries, services
    from dangjian.dues.models import DuesMonth, DuesPayment
    from dangjian.party.models import PartyOrganization
    from dangjian.registry.models import Federation
    from dangjian.rulebook.periods import add_months
    from dangjian.rules.engine import Engine

    rng = random.Random(seed)
    fed = Federation.objects.get(short_name="党费基准")
    first = add_months(month, -(months - 1))
    span = queries.months_between(first, month)
    branches = PartyOrganization.objects.filter(federation=fed)
    have = set(DuesMonth.objects.filter(month__in=span).values_list("month", flat=True).distinct())
    started = time.monotonic()
    services.assess(branches, [m for m in span if m not in have], actor=None)
    say(f"assessed {months} months in {time.monotonic() - started:.0f} s")
    if not DuesPayment.objects.filter(month=month).exists():
        now = timezone.now()
        member_ids = list(
            DuesMonth.objects.filter(month=month).values_list("member_id", "party_organization_id")
        )
        stoppers = {pk for pk, _ in member_ids if rng.random() < 0.003}
        with transaction.atomic(), bulk.roomy_cache(256):
            for m in span:
                rows = []
                for pk, po in member_ids:
                    if rng.random() < 0.01 or (pk in stoppers and m > add_months(month, -7)):
                        continue
                    rows.append((now, now, pk, m, po, 100, m.replace(day=9), "cash", f"B{pk}", ""))
                bulk.insert(
                    DuesPayment,
                    [
                        "created_at",
                        "updated_at",
                        "member_id",
                        "month",
                        "party_organization_id",
                        "amount_fen",
                        "paid_on",
                        "method",
                        "receipt_no",
                        "note",
                    ],
                    rows,
                )
                say(f"  paid {m:%Y-%m}: {len(rows)}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    as_of = add_months(month, 1)
    floor = (
        "SELECT d.member_id, d.month FROM dues_duesmonth d "
        "WHERE d.month >= %s AND d.month <= %s AND d.due_fen > 0 AND NOT EXISTS ("
        "SELECT 1 FROM dues_duespayment p WHERE p.member_id = d.member_id AND p.month = d.month "
        "AND p.paid_on <= %s) ORDER BY d.member_id, d.month"
    )
    timings: dict = {"floor_s": [], "rule_s": [], "loads": [load()]}
    engine = Engine(fed, as_of, rule_ids=["dues.arrears"])
    for _ in range(2):
        t = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(floor, [first, month, as_of])
            unpaid = len(cursor.fetchall())
        timings["floor_s"].append(round(time.perf_counter() - t, 2))
        t = time.perf_counter()
        found = engine.evaluate_rule("dues.arrears")[0]
        timings["rule_s"].append(round(time.perf_counter() - t, 2))
        timings["loads"].append(load())
        say(f"arrears floor {timings['floor_s'][-1]} s, rule {timings['rule_s'][-1]} s")
    timings.update(
        months=months,
        month_rows=DuesMonth.objects.filter(month__in=span).count(),
        unpaid_months=unpaid,
        findings=len(found),
        ratio_best=round(min(timings["rule_s"]) / min(timings["floor_s"]), 2),
    )
    return timings


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--month", default="2026-11")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--measure-only", action="store_true")
    parser.add_argument("--arrears-months", type=int, default=0)
    parser.add_argument("--out", help="append the JSON result to this file")
    args = parser.parse_args()
    setup(args.db)
    from django.db import connection

    from dangjian.party.models import PartyMember

    year, number = (int(p) for p in args.month.split("-"))
    month = datetime.date(year, number, 1)
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "database": connection.vendor,
        "load_start": load(),
    }
    if not args.measure_only:
        result["generate"] = generate(args.members, args.seed, month)
    result["members"] = PartyMember.objects.filter(name="基准党员").count()
    result["month"] = measure_month(month, args.repeat)
    if args.arrears_months:
        result["arrears"] = measure_arrears(month, args.arrears_months, args.seed)
    result["load_end"] = load()
    text = json.dumps(result, ensure_ascii=False, indent=1)
    print(text)
    if args.out:
        with open(args.out, "a", encoding="utf-8") as fh:
            fh.write(text + "\n")


if __name__ == "__main__":
    main()
