"""The commit reuses the cells the check parsed — only when provably the same work — and they
never hold an ID number or a phone in clear."""

import datetime

import pytest

from dangjian.ledgers import kept, services
from dangjian.ledgers.models import LedgerUpload
from dangjian.party.models import PartyMember

from .conftest import make_id
from .helpers import MEMBER_HEADERS, commit, upload, write_xlsx

pytestmark = pytest.mark.django_db
COMMITTED = LedgerUpload.Status.COMMITTED


def rows(world, bad=False):
    u1 = world.units[0].uscc
    out = [
        ["张三", "男", make_id(11), "13800138000", "", "2015-07-01", "", u1, "", "", "否"],
        ["李四", "女", make_id(22).lower(), "13900139000", "", "2018-05-04", "", u1, "", "", "否"],
        ["王五", "男", make_id(33), "", "", "2010-01-01", "", u1, "", "", "是"],
    ]
    if bad:
        out[2][5] = "去年"
    return out


@pytest.fixture
def reads(monkeypatch):
    """Counts how often the commit opens the archived file."""
    calls = []
    original = services.open_upload

    def spy(item):
        calls.append(item.pk)
        return original(item)

    monkeypatch.setattr(services, "open_upload", spy)
    return calls


def checked(world, tmp_path, bad=False):
    item = upload(world, write_xlsx(tmp_path / "m.xlsx", [MEMBER_HEADERS, *rows(world, bad)]))
    assert item.mapping["kept"] and services._flag(item, "cells").exists()
    return item


def imported(world):
    return set(
        PartyMember.objects.filter(employments__organization=world.units[0]).values_list(
            "name", flat=True
        )
    )


def test_commit_uses_the_kept_cells_instead_of_reading_the_file(world, tmp_path, reads):
    item = checked(world, tmp_path)
    reads.clear()
    item = commit(world, item)
    assert item.status == COMMITTED and reads == []
    assert imported(world) == {"张三", "李四", "王五"}
    li = PartyMember.objects.get(name="李四")
    assert li.id_number == make_id(22).upper() and li.phone == "13900139000"
    assert not services._flag(item, "cells").exists()  # removed once committed


def test_kept_cells_hold_no_id_number_or_phone_in_clear(world, tmp_path):
    item = checked(world, tmp_path)
    data = services._flag(item, "cells").read_bytes()
    for number in (make_id(11), make_id(22), make_id(22).lower(), make_id(33)):
        assert number.encode() not in data
        assert number[6:].encode() not in data
    assert b"13800138000" not in data and b"13900139000" not in data
    assert "张三".encode() in data  # the rest is there (names: as in the archived file)


def test_a_changed_byte_means_the_file_is_read_again(world, tmp_path, reads):
    item = checked(world, tmp_path)
    path = services._flag(item, "cells")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    reads.clear()
    item = commit(world, item)
    assert item.status == COMMITTED and reads == [item.pk]
    assert imported(world) == {"张三", "李四", "王五"}


def test_a_forged_mac_is_not_enough(world, tmp_path, reads):
    """Someone who can write both the file and the database row still needs SECRET_KEY."""
    import hashlib
    import hmac

    item = checked(world, tmp_path)
    path = services._flag(item, "cells")
    data = path.read_bytes()
    item.mapping["kept"] = hmac.new(b"guessed key", data, hashlib.sha256).hexdigest()
    item.save()
    reads.clear()
    assert commit(world, item).status == COMMITTED and reads == [item.pk]


def test_a_changed_archive_is_read_again(world, tmp_path, reads):
    item = checked(world, tmp_path)
    archive = services.archive_path(item)
    other = rows(world)[:2]
    archive.write_bytes(write_xlsx(tmp_path / "other.xlsx", [MEMBER_HEADERS, *other]).read_bytes())
    reads.clear()
    item = commit(world, item)
    assert reads == [item.pk]  # what is on disk now was not what was checked


def test_another_day_or_mapping_means_the_file_is_read_again(world, tmp_path, reads, monkeypatch):
    item = checked(world, tmp_path)
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    monkeypatch.setattr(kept.timezone, "localdate", lambda: tomorrow)
    assert services._kept(item) is None
    monkeypatch.undo()
    assert services._kept(item) is not None
    item.mapping["columns"] = {**item.mapping["columns"], "3": ""}  # phone column unmapped
    assert services._kept(item) is None


def test_errors_and_valid_rows_only_from_the_kept_cells(world, tmp_path, reads):
    item = checked(world, tmp_path, bad=True)
    assert item.counts["invalid"] == 1
    reads.clear()
    item = commit(world, item)
    assert item.status == LedgerUpload.Status.FAILED and reads == []
    assert item.error_path  # the marked workbook still comes from the archived file
    item = commit(world, item, valid_only=True)
    assert item.status == COMMITTED and reads == []
    assert imported(world) == {"张三", "李四"}


def test_remapped_check_keeps_new_cells(world, tmp_path, reads):
    item = checked(world, tmp_path)
    first = item.mapping["kept"]
    columns = {int(k): v for k, v in item.mapping["columns"].items() if k != "3"}
    services.analyse(item, actor=world.user, columns=columns)
    item.refresh_from_db()
    assert item.mapping["kept"] != first
    reads.clear()
    item = commit(world, item)
    assert item.status == COMMITTED and reads == []
    assert PartyMember.objects.get(name="张三").phone == ""


def test_cancelling_a_checked_upload_removes_its_kept_cells(world, tmp_path):
    item = checked(world, tmp_path)
    services.cancel(item, actor=world.user)
    item.refresh_from_db()
    assert item.status == LedgerUpload.Status.CANCELLED
    assert not services._flag(item, "cells").exists()


@pytest.mark.parametrize("module", ["cells", "specs/registry", "lifecycle_specs"])
def test_the_kept_cells_are_bound_to_every_module_that_parses(monkeypatch, module):
    """A release that changes how a cell is read (here: one line added to a parsing module)
    makes the cells kept by the release before it unusable: the file is read again."""
    from pathlib import Path

    target = Path(kept.__file__).parent / f"{module}.py"
    before = kept.code_digest.__wrapped__("transfers")
    read_bytes = Path.read_bytes

    def changed(path):
        data = read_bytes(path)
        return data + b"\n# changed\n" if path == target else data

    monkeypatch.setattr(Path, "read_bytes", changed)
    assert kept.code_digest.__wrapped__("transfers") != before
