"""The issue's acceptance check: the demo's database file, grepped for any demo ID number or
phone, contains none (nor do the WAL file, uploaded files or anything else under var/)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest


def run(args, env):
    return subprocess.run(
        [sys.executable, "-m", "dangjian.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    ).stdout


@pytest.mark.django_db  # not used: the demo goes into its own SQLite file
def test_demo_files_hold_no_clear_id_numbers_or_phones(tmp_path):
    env = {
        **os.environ,
        "DANGJIAN_VAR_DIR": str(tmp_path),
        "DANGJIAN_DEMO": "1",
        "DANGJIAN_DATABASE_URL": f"sqlite:///{tmp_path}/dangjian.sqlite3",
    }
    run(["demo"], env)
    listing = run(
        [
            "shell",
            "-c",
            (
                "from dangjian.party.models import PartyMember\n"
                "for i, p in PartyMember.objects.values_list('id_number', 'phone'):\n"
                "    print(i); print(p)\n"
            ),
        ],
        env,
    )
    secrets = {line.strip() for line in listing.splitlines() if len(line.strip()) >= 11}
    assert len(secrets) > 150  # every demo member's ID number and phone
    blobs = [p for p in Path(tmp_path).rglob("*") if p.is_file()]
    assert any(p.name == "dangjian.sqlite3" for p in blobs)
    for path in blobs:
        data = path.read_bytes()
        found = [s for s in secrets if s.encode() in data]
        assert found == [], f"{path.name} holds {len(found)} clear values"
