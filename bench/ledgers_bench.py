"""Benchmark of the party-member ledger import (issue 5).

    .venv/bin/python bench/ledgers_bench.py --rows 100000            # SQLite and PostgreSQL
    .venv/bin/python bench/ledgers_bench.py --rows 100000 --db sqlite:////tmp/ledgers.sqlite3

For each database, in a fresh child process (so peak memory is per database):
1. a fresh database (SQLite file / PostgreSQL database created here), migrated, with one
   federation and 500 member units;
2. the same 100,000-row, 15-column member workbook (made once with openpyxl, cached in /tmp);
3. measured in this order, on the same file:
   * bare read — python-calamine opening the file and iterating every row of the sheet (the
     floor every other figure is divided by);
   * validate + preview — ``services.analyse``: header detection, every cell parsed, ID numbers
     and credit codes validated, blind index computed, looked up against the database;
   * commit — ``services.commit`` as the page runs it: the cells the check parsed (kept, see
     ``ledgers/kept.py``), every row checked against the database again, 100,000 members and
     100,000 employments written in one transaction (audit: one event);
   * re-import of the same file (validate + commit, everything unchanged);
   * the command line's single pass (``services.import_file``: archive + validate + write) on an
     emptied ledger — the "validate + commit" figure the target is about;
   * re-import of a second workbook with every member changed (education, job title, employer,
     组织关系 — a federation-wide correction; validate + commit as the page runs them): the
     party services' bulk updates and moves, each changed row audited;
   * where the time goes: the per-row costs of the validators, the blind index and encryption
     (core's functions and the bulk ones the import uses), cell parsing (by column, as the
     import does, and row by row), and the raw inserts, measured separately;
4. peak memory: ``ru_maxrss`` of the child process; the load average (``os.getloadavg``, as
   ``uptime`` shows it) before and after the imports.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from machine import cpu_model  # noqa: E402

PG_URL = "postgres://postgres@127.0.0.1:5432/dangjian_bench_ledgers"
WORK = Path(tempfile.gettempdir()) / "dangjian-bench-ledgers"


def rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def make_workbook(path: Path, rows: int, units: list[str], *, changed: bool = False) -> None:
    """A 15-column member ledger like the template's (valid IDs, dates in mixed forms).

    ``changed``: the same members with every one's education, job title, employer (the next
    unit) and 组织关系 (another holder) changed — a federation-wide correction."""
    import openpyxl
    from stdnum.cn import ric

    headers = [
        "姓名", "性别", "民族", "出生日期", "公民身份号码", "联系电话", "学历", "入党日期",
        "转正日期", "工作单位统一社会信用代码", "职务", "入职日期", "组织关系所在党组织",
        "是否流动党员", "是否失联",
    ]  # fmt: skip
    rng = random.Random(2026)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("党员台账")
    ws.append(headers)
    surnames, given = (
        "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗",
        "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚",
    )
    educations = ["大学本科", "硕士研究生", "大专", "博士研究生", "高中及以下"]
    for i in range(rows):
        # distinct numbers: a different birth date for every 1,000 rows, a sequence within
        birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=(i // 1000) * 137)
        body = f"110105{birth:%Y%m%d}{i % 1000:03d}"
        number = body + ric.calc_check_digit(body + "0")
        male = int(number[16]) % 2 == 1
        joined = birth + datetime.timedelta(days=365 * 20 + rng.randrange(3000))
        name = rng.choice(surnames) + rng.choice(given) + rng.choice(given)
        phone = f"13{rng.randrange(10**9):09d}"
        education = rng.choice(educations)
        if changed:
            education = educations[(educations.index(education) + 1) % len(educations)]
        ws.append(
            [
                name,
                "男" if male else "女",
                "汉族",
                birth,
                number,
                phone,
                education,
                joined if i % 3 else f"{joined.year}年{joined.month}月{joined.day}日",
                joined + datetime.timedelta(days=365),
                units[(i + changed) % len(units)],
                "副秘书长" if changed else "干事",
                datetime.date(2020, 1, 1),
                "某区委组织部" if changed else "某街道党工委",
                "否",
                "",
            ]
        )
    wb.save(path)


def child(db_url: str, rows: int, workbook: Path, changed: Path) -> dict:
    os.environ["DANGJIAN_DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    os.environ.setdefault("DANGJIAN_VAR_DIR", str(WORK / "var"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction

    settings.MEDIA_ROOT = WORK / "media"
    call_command("migrate", verbosity=0)
    import python_calamine

    from dangjian.core import bulk, crypto
    from dangjian.core.validators import validate_id_number, validate_uscc
    from dangjian.ledgers import cells, engine, reader, services
    from dangjian.party.models import Employment, PartyMember, RelationPeriod
    from dangjian.registry.models import Federation, Membership, Organization

    fed = Federation.objects.create(name="基准测试联合会", short_name="基准", level="city")
    units = [o for o in Organization.objects.bulk_create(
        Organization(name=f"基准单位{i}", uscc=uscc_for(i), legal_form="social_group",
                     category="association") for i in range(500)
    )]  # fmt: skip
    Membership.objects.bulk_create(
        Membership(federation=fed, organization=o, valid_from=datetime.date(2020, 1, 1))
        for o in units
    )
    result = {"database": connection.vendor, "rows": rows, "load_before": os.getloadavg()}

    started, started_cpu = time.perf_counter(), time.process_time()
    book = python_calamine.CalamineWorkbook.from_path(str(workbook))
    n = sum(1 for _ in book.get_sheet_by_index(0).iter_rows()) - 1
    result["bare_read_s"] = time.perf_counter() - started
    result["bare_read_cpu_s"] = time.process_time() - started_cpu
    assert n == rows, n
    result["rss_after_read_mb"] = rss_mb()

    def receive():
        return services.receive_upload(
            [workbook.read_bytes()], workbook.name, federation=fed, ledger="members", actor=None
        )

    item = receive()
    started, started_cpu = time.perf_counter(), time.process_time()
    services.analyse(item, actor=None)
    result["validate_preview_s"] = time.perf_counter() - started
    result["validate_preview_cpu_s"] = time.process_time() - started_cpu
    item.refresh_from_db()
    assert item.counts["new"] == rows, (item.counts, item.preview["errors"][:3])
    result["rss_after_validate_mb"] = rss_mb()

    started, started_cpu = time.perf_counter(), time.process_time()
    services.commit(item, actor=None)
    result["commit_s"] = time.perf_counter() - started
    result["commit_cpu_s"] = time.process_time() - started_cpu
    item.refresh_from_db()
    assert item.status == "committed", item.message
    assert PartyMember.objects.count() == rows and Employment.objects.count() == rows
    result["rss_after_commit_mb"] = rss_mb()

    started, started_cpu = time.perf_counter(), time.process_time()
    again = receive()
    services.analyse(again, actor=None)
    services.commit(again, actor=None)
    result["reimport_unchanged_s"] = time.perf_counter() - started
    result["reimport_unchanged_cpu_s"] = time.process_time() - started_cpu
    again.refresh_from_db()
    assert again.counts["unchanged"] == rows, again.counts

    with transaction.atomic():  # relation periods point at the members too (foreign keys)
        Employment.objects.all()._raw_delete(Employment.objects.db)
        RelationPeriod.objects.all()._raw_delete(RelationPeriod.objects.db)
        PartyMember.objects.all()._raw_delete(PartyMember.objects.db)
    started, started_cpu = time.perf_counter(), time.process_time()
    single, outcome = services.import_file(workbook, ledger="members", federation=fed)
    result["single_pass_s"] = time.perf_counter() - started
    result["single_pass_cpu_s"] = time.process_time() - started_cpu
    assert single.status == "committed" and outcome.counts["new"] == rows
    result["rss_peak_mb"] = rss_mb()

    # Every member changed (education, job title, employer, 组织关系): the page flow again.
    corrected = services.receive_upload(
        [changed.read_bytes()], changed.name, federation=fed, ledger="members", actor=None
    )
    started, started_cpu = time.perf_counter(), time.process_time()
    services.analyse(corrected, actor=None)
    services.commit(corrected, actor=None)
    result["reimport_changed_s"] = time.perf_counter() - started
    result["reimport_changed_cpu_s"] = time.process_time() - started_cpu
    corrected.refresh_from_db()
    assert corrected.status == "committed" and corrected.counts["changed"] == rows, corrected.counts
    assert PartyMember.objects.filter(relation_external="某区委组织部").count() == rows
    result["rss_after_changed_mb"] = rss_mb()
    result["load_after_import"] = os.getloadavg()

    # Where the time goes, per 100,000 rows (each measured alone on the same data).
    sample = []
    table = reader.open_table(workbook, workbook.name, "members")
    for item in table.rows():
        sample.append(item)
    values = [v for _n, v in sample]
    ids = [row[4] for row in values]
    codes = [row[9] for row in values]
    parts = {}
    t = time.perf_counter()
    for v in ids:
        validate_id_number(v)
    parts["validate_id_number"] = time.perf_counter() - t
    t = time.perf_counter()
    for v in codes:
        validate_uscc(v)
    parts["validate_uscc_unmemoised"] = time.perf_counter() - t
    t = time.perf_counter()
    for v in ids:
        crypto.blind_index(v)
    parts["blind_index_core"] = time.perf_counter() - t
    t = time.perf_counter()
    crypto.blind_index_many(ids)
    parts["blind_index_bulk"] = time.perf_counter() - t
    t = time.perf_counter()
    for v in ids:
        crypto.encrypt(v)
    parts["encrypt_one_field_core"] = time.perf_counter() - t
    t = time.perf_counter()
    crypto.encrypt_many(ids)
    parts["encrypt_one_field_bulk"] = time.perf_counter() - t
    plan = engine.parsers_for(reader.specs.LEDGERS["members"], table.header.mapping)
    t = time.perf_counter()
    for start in range(0, len(sample), 5000):
        engine.parse_chunk(plan, sample[start : start + 5000])
    parts["parse_all_cells_by_column_incl_validators"] = time.perf_counter() - t
    plan = engine.parsers_for(reader.specs.LEDGERS["members"], table.header.mapping)
    t = time.perf_counter()
    for v in values:
        engine.parse_row(plan, v)
    parts["parse_all_cells_row_by_row_incl_validators"] = time.perf_counter() - t
    t = time.perf_counter()
    for v in values:
        cells.date(v[7])
    parts["parse_one_date_column_unmemoised"] = time.perf_counter() - t
    now = datetime.datetime.now(datetime.UTC)
    plain = [(i + 10_000_000, "x", "male", "汉族", None, "", f"h{i}", "", "", "", datetime.date(2020, 1, 1),
              None, None, "", False, False, None, now, now) for i in range(len(sample))]  # fmt: skip
    t = time.perf_counter()
    with transaction.atomic():
        bulk.insert(PartyMember, ["id", "name", "gender", "ethnicity", "birth_date", "id_number",
                                  "id_number_hash", "id_suffix_hash", "phone", "education", "joined_party_on",
                                  "full_member_on", "relation_party_organization",
                                  "relation_external", "is_flowing", "is_lost_contact", "left_on",
                                  "created_at", "updated_at"], plain)  # fmt: skip
        parts["raw_insert_members_" + ("copy" if connection.vendor == "postgresql"
                                       else "executemany")] = time.perf_counter() - t  # fmt: skip
        objs = [PartyMember(name="x", gender="male", id_number="", id_number_hash=f"o{i}",
                            joined_party_on=datetime.date(2020, 1, 1)) for i in range(20_000)]  # fmt: skip
        t = time.perf_counter()
        PartyMember.objects.bulk_create(objs, batch_size=2000)
        parts["orm_bulk_create_members_20k_x5"] = (time.perf_counter() - t) * len(sample) / 20_000
        transaction.set_rollback(True)
    result["parts_s_per_100k"] = {k: round(v * 100_000 / len(sample), 2) for k, v in parts.items()}
    result["load_after"] = os.getloadavg()
    for key in list(result):
        if key.endswith("_s"):
            result[key] = round(result[key], 2)
    return result


def uscc_for(i: int) -> str:
    from stdnum.cn import uscc

    body = f"51120000MJ{i:07d}"
    return body + uscc.calc_check_digit(body)


def markdown(results: list[dict], rows: int) -> str:
    lines = [
        f"### Ledger import (issue 5) — {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, "
        f"{platform.node() or 'machine'}, {os.cpu_count()} cores ({cpu_model()}), "
        f"Python {platform.python_version()}",
        "",
        f"A {rows:,}-row, 15-column party-member workbook (.xlsx, "
        f"{Path(results[0]['workbook']).stat().st_size / 1e6:.1f} MB); 500 member units. "
        "Each figure: rows/s (seconds) and its ratio to the bare calamine read of the same run.",
        "",
        "| database | load avg (1/5/15 min) at start → after the imports | bare calamine read "
        "| validate + preview | commit "
        "| page flow: validate + preview, then commit | single pass validate + commit (CLI) "
        "| re-import, all unchanged (validate + preview, then commit) "
        "| re-import, every member changed (the same) | peak RSS |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:

        def fig(seconds, r=r):
            return (
                f"{rows / seconds:,.0f} rows/s ({seconds:.2f} s) = "
                f"{r['bare_read_s'] / seconds:.2f}×"
            )

        def load(values):
            return "/".join(f"{v:.2f}" for v in values)

        lines.append(
            f"| {r['database']} | {load(r['load_before'])} → {load(r['load_after_import'])} "
            f"| {rows / r['bare_read_s']:,.0f} rows/s ({r['bare_read_s']:.2f} s) "
            f"| {fig(r['validate_preview_s'])} | {fig(r['commit_s'])} "
            f"| {fig(r['validate_preview_s'] + r['commit_s'])} | {fig(r['single_pass_s'])} "
            f"| {fig(r['reimport_unchanged_s'])} | {fig(r['reimport_changed_s'])} "
            f"| {r['rss_peak_mb']:.0f} MB |"
        )
    lines += [
        "",
        "The same phases in CPU time of the importing process (``time.process_time``: what the "
        "other engineers' load does not inflate; PostgreSQL's own work happens in the server and "
        "is not in it):",
        "",
        "| database | bare read | validate + preview | commit | single pass | re-import "
        "| re-import, changed |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        phases = [
            "bare_read",
            "validate_preview",
            "commit",
            "single_pass",
            "reimport_unchanged",
            "reimport_changed",
        ]
        lines.append(
            f"| {r['database']} | "
            + " | ".join(
                f"{rows / r[p + '_cpu_s']:,.0f} rows/s ({r[p + '_cpu_s']:.2f} s)" for p in phases
            )
            + " |"
        )
    lines += ["", "Where the time goes (seconds per 100,000 rows, each measured alone):", ""]
    lines.append("| part | " + " | ".join(r["database"] for r in results) + " |")
    lines.append("|---|" + "---|" * len(results))
    keys = list(dict.fromkeys(k for r in results for k in r["parts_s_per_100k"]))
    for key in keys:
        lines.append(
            f"| {key} | "
            + " | ".join(str(r["parts_s_per_100k"].get(key, "")) for r in results)
            + " |"
        )
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", action="append", help="database URL (default: SQLite and PG)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--workbook", help=argparse.SUPPRESS)
    parser.add_argument("--changed-workbook", help=argparse.SUPPRESS)
    parser.add_argument("--out", help="write the Markdown section to this file")
    args = parser.parse_args()
    if args.child:
        print(
            json.dumps(
                child(args.child, args.rows, Path(args.workbook), Path(args.changed_workbook))
            )
        )
        return
    WORK.mkdir(parents=True, exist_ok=True)
    workbook = WORK / f"members-{args.rows}.xlsx"
    if not workbook.exists():
        print(f"making {workbook} …", file=sys.stderr)
        make_workbook(workbook, args.rows, [uscc_for(i) for i in range(500)])
    changed = WORK / f"members-{args.rows}-changed.xlsx"
    if not changed.exists():
        print(f"making {changed} …", file=sys.stderr)
        make_workbook(changed, args.rows, [uscc_for(i) for i in range(500)], changed=True)
    urls = args.db or ["sqlite:////tmp/dangjian-bench-ledgers.sqlite3", PG_URL]
    results = []
    for url in urls:
        if url.startswith("sqlite:"):
            path = Path(url.removeprefix("sqlite:///"))
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
        else:
            name = url.rsplit("/", 1)[1]
            base = url.rsplit("/", 1)[0] + "/postgres"
            subprocess.run(["psql", base, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
            subprocess.run(["psql", base, "-qc", f"CREATE DATABASE {name}"], check=True)
        out = subprocess.run(
            [sys.executable, __file__, "--child", url, "--rows", str(args.rows),
             "--workbook", str(workbook), "--changed-workbook", str(changed)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        result = json.loads(out.stdout.strip().splitlines()[-1])
        result["workbook"] = str(workbook)
        print(json.dumps(result, ensure_ascii=False), file=sys.stderr)
        results.append(result)
    text = markdown(results, args.rows)
    print(text)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
