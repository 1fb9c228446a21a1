"""The issue's acceptance check (issue 11, problem 3): after the demo and a real ledger import of
members with phones and ID numbers, nothing the system keeps holds a valid ID number or a
mainland mobile in clear — not the database (its file, WAL and journal on SQLite; every column
of every table on either database) and not the uploaded files (the archived ledger, its error
workbook, the kept cells; inside zip containers too, since an .xlsx deflates its cells).

One scanner for all of it (``clear_numbers``): an 18-character run that
``core.validators.validate_id_number`` accepts (GB 11643 check character, a real birth date, a
known area code), and ``1[3-9]`` followed by nine digits, neither inside a longer run of digits.
A run inside an encoded blob (a hash, a ciphertext, a base64 session: 16 or more letters and
digits around it) is not a clear number.
"""

import datetime
import io
import os
import random
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from stdnum.cn import ric

from dangjian.core.masking import mask_id_number, mask_phone
from dangjian.core.validators import validate_id_number

ID_LIKE = re.compile(rb"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])")
MOBILE = re.compile(rb"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
BLOB_CHARS = frozenset(b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+/=_-")
BLOB_EXTRA = 16


def _in_blob(data: bytes, start: int, end: int) -> bool:
    """Whether the match lies inside a hash, ciphertext or base64 token: at least 16 more
    letters and digits around it, letters among them (a clear number next to a short word, as
    columns lie side by side in a database page, is still found)."""
    first, last = start, end
    while first > 0 and data[first - 1] in BLOB_CHARS:
        first -= 1
    while last < len(data) and data[last] in BLOB_CHARS:
        last += 1
    token = data[first:last]
    return (last - first) - (end - start) >= BLOB_EXTRA and any(chr(b).isalpha() for b in token)


def clear_numbers(data: bytes) -> list[str]:
    """The valid ID numbers and mobiles in ``data``, masked (a failure never prints them)."""
    found = []
    for match in ID_LIKE.finditer(data):
        try:
            validate_id_number(match.group().decode("ascii"))
        except ValidationError:
            continue
        if not _in_blob(data, match.start(), match.end()):
            found.append(mask_id_number(match.group().decode("ascii")))
    for match in MOBILE.finditer(data):
        if not _in_blob(data, match.start(), match.end()):
            found.append(mask_phone(match.group().decode("ascii")))
    return found


def scan_files(folder: Path) -> dict[str, list[str]]:
    """Every file under ``folder``, and every member of those that are zip containers."""
    leaks = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        found = clear_numbers(path.read_bytes())
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for name in archive.namelist():
                    found += clear_numbers(archive.read(name))
        if found:
            leaks[str(path.relative_to(folder))] = found
    return leaks


def scan_database() -> dict[str, list[str]]:
    """Every column of every table, read with SQL (PostgreSQL has no file to grep here, and
    pg_dump may be missing): ``{"table.column": [masked clear numbers]}``."""
    leaks: dict[str, list[str]] = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [
                c.name for c in connection.introspection.get_table_description(cursor, table)
            ]
            cursor.execute(f"SELECT {', '.join(map(quote, columns))} FROM {quote(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if value is None or isinstance(value, bool | int | float):
                        continue
                    raw = bytes(value) if isinstance(value, bytes | memoryview) else str(value)
                    data = raw if isinstance(raw, bytes) else raw.encode("utf-8")
                    found = clear_numbers(data)
                    if found:
                        leaks.setdefault(f"{table}.{column}", []).extend(found)
    return leaks


def members_workbook(path: Path, uscc: str, count: int = 40, seed: int = 11) -> Path:
    """A members ledger as a user fills it: valid ID numbers, mobiles, one row with a bad date
    (so the import also writes an error workbook)."""
    rng = random.Random(seed)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "公民身份号码", "联系电话", "入党日期", "工作单位统一社会信用代码"])
    for i in range(count):
        birth = datetime.date(1975, 1, 1) + datetime.timedelta(days=rng.randrange(9000))
        body = f"120101{birth:%Y%m%d}{rng.randrange(1000):03d}"
        number = body + ric.calc_check_digit(body + "0")
        phone = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
        joined = "2999-01-01" if i == 0 else f"{birth.year + 25}-07-01"
        sheet.append([f"扫描测试{i:02d}", number, phone, joined, uscc])
    for column in "BC":
        for cell in sheet[column]:
            cell.number_format = "@"
    book.save(path)
    return path


def test_the_scanner_finds_clear_numbers_and_ignores_encoded_blobs():
    body = "12010119800101123"
    number = body + ric.calc_check_digit(body + "0")
    wrong = body + ("0" if number[-1] != "0" else "1")
    assert clear_numbers(f"x{number}y".encode()) == [mask_id_number(number)]
    assert clear_numbers(f"|{number}active|".encode()) == [mask_id_number(number)]
    assert clear_numbers(wrong.encode()) == []  # wrong check character
    assert clear_numbers(b'"13912345678"') == ["139****5678"]
    assert clear_numbers(b"12345678901234") == []  # part of a longer number
    assert clear_numbers(b"enc1:ab12cd34:Qx13912345678Zk9aBcDeFgHiJkLmNo") == []
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", f"<t>{number}</t><t>13912345678</t>" * 20)
    assert clear_numbers(buffer.getvalue()) == []  # deflated: why scan_files opens containers


@pytest.mark.django_db
def test_no_clear_number_in_the_database_or_the_uploads_after_a_ledger_import(
    demo_federation, settings, tmp_path
):
    from django.contrib.auth import get_user_model

    from dangjian.ledgers import services
    from dangjian.party.models import PartyMember
    from dangjian.registry.models import Organization

    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    officer = get_user_model().objects.get(username="officer")
    unit = Organization.objects.filter(memberships__federation=demo_federation).first()
    source = members_workbook(tmp_path / "党员台账.xlsx", unit.uscc)  # the user's own file
    assert scan_files(tmp_path) != {}  # the scanner sees the numbers in the user's file
    upload = services.receive_upload(
        [source.read_bytes()], source.name, federation=demo_federation, ledger="members",
        actor=officer,
    )  # fmt: skip
    services.analyse(upload, actor=officer)
    upload.refresh_from_db()
    assert upload.counts["invalid"] == 1 and upload.error_path
    assert scan_files(media) == {}  # archive, error workbook and kept cells, before the commit
    services.commit(upload, actor=officer, valid_only=True)
    assert PartyMember.objects.filter(name__startswith="扫描测试").count() == 39
    assert scan_files(media) == {}
    assert scan_database() == {}


def run(args, env):
    return subprocess.run(
        [sys.executable, "-m", "dangjian.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=True,
    ).stdout


@pytest.mark.django_db  # not used: the demo goes into its own SQLite file
def test_demo_files_hold_no_clear_id_numbers_or_phones(tmp_path):
    var = tmp_path / "var"
    env = {
        **os.environ,
        "DANGJIAN_VAR_DIR": str(var),
        "DANGJIAN_DEMO": "1",
        "DANGJIAN_DATABASE_URL": f"sqlite:///{var}/dangjian.sqlite3",
    }
    run(["demo"], env)
    uscc = run(
        [
            "shell",
            "-c",
            "from dangjian.registry.models import Organization\n"
            "print(Organization.objects.filter(memberships__federation__short_name='津网联')"
            ".exclude(uscc=None).first().uscc)",
        ],
        env,
    ).split()[-1]
    source = members_workbook(tmp_path / "党员台账.xlsx", uscc)  # outside var/: the user's
    run(
        ["import", str(source), "--ledger", "members", "--federation", "津网联", "--valid-only"],
        env,
    )
    counted = run(
        [
            "shell",
            "-c",
            "from dangjian.party.models import PartyMember\n"
            "from dangjian.orglife.services import pairs\n"
            "print(PartyMember.objects.filter(name__startswith='扫描测试').count(),"
            " PartyMember.objects.exclude(phone='').count(), pairs.unpaired())",
        ],
        env,
    ).split()[-3:]  # after the shell's own line about its automatic imports
    assert counted[0] == "39" and int(counted[1]) > 100  # imported; the demo's phones too
    # The demo's pairs of alike minutes are complete from the start: the copied-minutes rule
    # reads them on its first run, not after the first night.
    assert counted[2] == "False"
    files = {p.name for p in var.rglob("*") if p.is_file()}
    assert "dangjian.sqlite3" in files and any(p.suffix == ".xlsx" for p in var.rglob("*"))
    assert scan_files(var) == {}
