"""Issue 11, problem 10: every ledger-import row that creates or changes a member is in the
audit trail, with who imported it and the personal fields masked."""

import json

import pytest

from dangjian.core.masking import mask_id_number, mask_phone
from dangjian.core.models import AuditLog
from dangjian.party.models import PartyMember

from .conftest import make_id
from .helpers import MEMBER_HEADERS, commit, upload, write_xlsx

pytestmark = pytest.mark.django_db


def _rows(world, phone="13800138000"):
    u1 = world.units[0].uscc
    return [
        [
            "张三",
            "男",
            make_id(11),
            phone,
            "大学本科",
            "2015-07-01",
            "2016-07-01",
            u1,
            "干事",
            "",
            "否",
        ],
        ["李四", "女", make_id(22), "13900139000", "", "2018-05-04", "", u1, "", "", "否"],
    ]


def test_each_new_and_changed_member_is_in_the_trail_masked(world, tmp_path):
    item = commit(
        world, upload(world, write_xlsx(tmp_path / "a.xlsx", [MEMBER_HEADERS, *_rows(world)]))
    )
    assert item.status == "committed", item.message
    zhang = PartyMember.objects.get(name="张三")
    created = AuditLog.objects.filter(object_type="party.partymember", action="create")
    assert set(created.values_list("object_id", flat=True)) >= {
        str(pk)
        for pk in PartyMember.objects.filter(name__in=["张三", "李四"]).values_list("pk", flat=True)
    }
    row = created.get(object_id=str(zhang.pk))
    after = row.changes["after"]
    assert row.actor == world.user and row.object_repr == "张三" and row.note
    assert after["id_number"] == mask_id_number(zhang.id_number)
    assert after["phone"] == mask_phone("13800138000")
    assert after["joined_party_on"] == "2015-07-01" and after["name"] == "张三"
    assert after["employment"]["organization"] == world.units[0].pk
    # A second import that changes the phone: an update row, masked both ways.
    changed = _rows(world, phone="13700137000")
    commit(world, upload(world, write_xlsx(tmp_path / "b.xlsx", [MEMBER_HEADERS, *changed])))
    update = AuditLog.objects.filter(
        object_type="party.partymember", object_id=str(zhang.pk), action="update"
    ).latest("id")
    assert update.changes["fields"]["phone"] == ["138****8000", "137****7000"]
    dump = json.dumps(
        list(AuditLog.objects.filter(object_type="party.partymember").values("changes", "note")),
        ensure_ascii=False,
    )
    for clear in (zhang.id_number, "13800138000", "13700137000", "13900139000"):
        assert clear not in dump
