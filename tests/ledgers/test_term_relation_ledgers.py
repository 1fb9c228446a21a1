"""The ledgers of the dated histories: the election ledger (elections and approved extensions,
through party.services; errors written into the workbook; re-import changes nothing) and the
member ledger's dated relation column (a move recorded when the relation changes)."""

import datetime

import openpyxl
import pytest

from dangjian.core import sealed
from dangjian.core.crypto import blind_index
from dangjian.ledgers import services, workbooks
from dangjian.ledgers.models import LedgerUpload
from dangjian.party import queries, term_queries
from dangjian.party.models import Election, PartyMember, PartyOrganization, TermExtension

from .conftest import make_id
from .helpers import commit, errors_by_row, upload, write_xlsx

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = datetime.date.today()

ELECTION_HEADERS = [
    "党组织名称",
    "选举日期",
    "选举类型",
    "任期（年）",
    "延期批准日期",
    "延期批准机关",
    "延期至",
]
HIGHER = "中共测试市社会组织综合委员会"


def imported(world, tmp_path, ledger, rows, name):
    return upload(world, write_xlsx(tmp_path / name, rows), ledger=ledger)


def test_the_election_ledger_records_terms_and_extensions(world, tmp_path):
    """The branch was founded on 1 Jun 2020 (conftest)."""
    branch = world.branch
    rows = [
        ELECTION_HEADERS,
        ["测试甲协会党支部", "2020-06-01", "", 3, "", "", ""],
        ["测试甲协会党支部", "2023年6月1日", "换届", "", "2026-05-10", HIGHER, "2027-06-01"],
        ["测试甲协会党支部", "2024-03-01", "补选", "", "", "", ""],
        # 5: before the founding
        ["测试甲协会党支部", "2019-01-01", "", "", "", "", ""],
    ]
    item = imported(world, tmp_path, "elections", rows, "e.xlsx")
    assert item.counts == {"new": 3, "changed": 0, "unchanged": 0, "invalid": 1, "rows": 4}
    assert errors_by_row(item) == {5: {"held_on": "选举日期不能早于党组织成立日期（2020-06-01）。"}}
    # The errors are written into the workbook, on the cell (B5: 选举日期 of row 5).
    with sealed.open_read(services.archive_path_of(item.error_path)) as raw:
        wb = openpyxl.load_workbook(raw)
    marked = {
        c.coordinate: c.comment.text for r in wb.worksheets[0].iter_rows() for c in r if c.comment
    }
    assert list(marked) == ["B5"] and "早于党组织成立日期" in marked["B5"]
    commit(world, item, valid_only=True)
    kinds = list(branch.elections.order_by("held_on").values_list("held_on", "kind", "term_years"))
    assert kinds == [
        (D(2020, 6, 1), Election.Kind.FOUNDING, 3),
        (D(2023, 6, 1), Election.Kind.GENERAL, 3),
        (D(2024, 3, 1), Election.Kind.BY_ELECTION, None),
    ]
    extension = TermExtension.objects.get(election__party_organization=branch)
    assert (extension.approved_on, extension.approved_by, extension.extended_until) == (
        D(2026, 5, 10),
        HIGHER,
        D(2027, 6, 1),
    )
    term = term_queries.term_in_force(branch, D(2026, 7, 1))
    assert (term.started_on, term.ends_on, term.deadline) == (
        D(2023, 6, 1),
        D(2026, 6, 1),
        D(2027, 6, 1),
    )
    # The same file again: nothing changes (the invalid row is still invalid).
    again = imported(world, tmp_path, "elections", rows, "e2.xlsx")
    assert again.counts == {"new": 0, "changed": 0, "unchanged": 3, "invalid": 1, "rows": 4}
    # A corrected extension: the same row with a new end is a change, through the service.
    rows[2][6] = "2027-05-31"
    del rows[4]
    changed = imported(world, tmp_path, "elections", rows, "e3.xlsx")
    assert changed.counts == {"new": 0, "changed": 1, "unchanged": 2, "invalid": 0, "rows": 3}
    commit(world, changed)
    extension.refresh_from_db()
    assert extension.extended_until == D(2027, 5, 31)


def test_the_election_ledger_refuses_in_chinese(world, tmp_path):
    rows = [
        ELECTION_HEADERS,
        ["测试甲协会党支部", "2020-06-01", "成立选举", 3, "", "", ""],
        # 3: extension past one year
        ["测试甲协会党支部", "2023-06-01", "换届选举", 3, "2026-05-10", HIGHER, "2027-06-02"],
        # 4: extension without the approving body
        ["测试甲协会党支部", "2021-06-01", "补选", "", "2021-07-01", "", "2021-08-01"],
        # 5: unknown party organization
        ["不存在的党支部", "2021-06-01", "", "", "", "", ""],
        # 6: a second founding election
        ["测试甲协会党支部", "2026-06-15", "成立选举", "", "", "", ""],
        # 7: the extension approved after the next election (the next term began 2023-06-01)
        ["测试甲协会党支部", "2020-06-02", "换届选举", 2, "2023-07-01", HIGHER, "2023-06-01"],
    ]
    item = imported(world, tmp_path, "elections", rows, "bad.xlsx")
    errors = errors_by_row(item)
    assert set(errors) == {3, 4, 5, 6, 7}
    assert errors[3] == {
        "ext_until": "延期换届一般不超过 1 年：本届任期于 2026-06-01 届满，最迟延期至 2027-06-01。"
    }
    assert errors[4] == {"ext_approved_by": "请同时填写延期批准日期、延期批准机关和延期至。"}
    assert "不存在的党支部" in errors[5]["party_org"]
    assert errors[6] == {"kind": "成立选举应为首次选举，该党组织此前已有选举记录。"}
    assert errors[7] == {
        "ext_approved_on": "该党组织已于 2023-06-01 换届，本届任期的延期批准日期应早于换届日期。"
    }
    # All or nothing: the file is not imported while rows have errors.
    commit(world, item)
    assert item.status == LedgerUpload.Status.FAILED
    assert not Election.objects.filter(party_organization=world.branch).exists()


def test_the_election_template_and_an_old_party_organization_sheet(world, tmp_path):
    wb = workbooks.template("elections")
    # (* marks a required column)
    headers = [c.value.rstrip("*") for c in wb.worksheets[0][1] if c.value]
    assert headers[:4] == ["党组织名称", "选举日期", "选举类型", "任期（年）"]
    assert "延期至" in headers
    # The current term columns of an old party organization ledger are read here too.
    rows = [["党组织名称", "党组织类别", "成立日期", "本届开始日期", "任期（年）"]]
    rows.append(["测试甲协会党支部", "党支部", "2020-06-01", "2023-06-01", 3])
    item = imported(world, tmp_path, "elections", rows, "old.xlsx")
    assert item.counts["new"] == 1
    commit(world, item)
    assert world.branch.elections.get().kind == Election.Kind.GENERAL


def member_rows(relation, since):
    return [
        ["姓名", "公民身份号码", "入党日期", "转正日期", "工作单位", "组织关系所在党组织", "组织关系转入日期"],
        ["张三", make_id(11), "2015-07-01", "2016-07-01", "测试甲协会", relation, since],
    ]  # fmt: skip


def test_the_relation_column_is_dated(world, tmp_path):
    other = PartyOrganization.objects.create(
        name="测试乙商会党支部",
        kind="branch",
        federation=world.federation,
        valid_from=D(2021, 1, 1),
    )
    # New member: held in the branch from the date given.
    item = imported(
        world, tmp_path, "members", member_rows("测试甲协会党支部", "2020-09-01"), "a.xlsx"
    )
    commit(world, item)
    zhang = PartyMember.objects.get(id_number_hash=blind_index(make_id(11)))
    assert [
        (p.party_organization_id, p.valid_from, p.valid_to) for p in zhang.relation_periods.all()
    ] == [(world.branch.pk, D(2020, 9, 1), None)]
    # Re-import: unchanged.
    again = imported(
        world, tmp_path, "members", member_rows("测试甲协会党支部", "2020-09-01"), "b.xlsx"
    )
    assert again.counts["unchanged"] == 1
    # The relation changes on 1 Mar 2022: a dated move; the day before still reads the branch.
    moved = imported(
        world, tmp_path, "members", member_rows("测试乙商会党支部", "2022-03-01"), "c.xlsx"
    )
    assert moved.counts["changed"] == 1
    changes = {label: f for _n, label, _s, f in moved.preview["changes"]}
    assert changes["张三"]["组织关系所在党组织"] == ["测试甲协会党支部", "测试乙商会党支部"]
    commit(world, moved)
    zhang.refresh_from_db()
    assert zhang.relation_party_organization == other
    assert queries.relation_on(zhang, D(2022, 2, 28)).party_organization == world.branch
    assert queries.relation_on(zhang, D(2022, 3, 1)).party_organization == other
    # A later start of the same relation corrects it; the relation outside the system is text.
    later = imported(
        world, tmp_path, "members", member_rows("测试乙商会党支部", "2022-04-01"), "d.xlsx"
    )
    commit(world, later)
    assert queries.relation_on(zhang, D(2022, 3, 15)) is None
    outside = imported(world, tmp_path, "members", member_rows("某街道党工委", ""), "e.xlsx")
    commit(world, outside)
    zhang.refresh_from_db()
    assert zhang.relation_external == "某街道党工委"
    assert queries.relation_on(zhang, TODAY).external == "某街道党工委"
    assert (
        queries.relation_on(zhang, TODAY - datetime.timedelta(days=1)).party_organization == other
    )


def test_the_relation_date_is_checked(world, tmp_path):
    rows = member_rows("测试甲协会党支部", "2020-05-31")  # the branch was founded on 1 Jun 2020
    rows.append(["李四", make_id(22), "2015-07-01", "", "测试甲协会", "某党委", "2014-01-01"])
    rows.append(["王五", make_id(33), "2015-07-01", "", "测试甲协会", "", "2016-01-01"])
    item = imported(world, tmp_path, "members", rows, "bad.xlsx")
    assert errors_by_row(item) == {
        2: {"relation_since": "该党组织成立于 2020-06-01，晚于此日期。"},
        3: {"relation_since": "组织关系转入日期不能早于入党日期。"},
        4: {"relation_since": "请填写该日期起组织关系所在的党组织。"},
    }
    wb = openpyxl.load_workbook(tmp_path / "bad.xlsx")
    assert wb.active.max_row == 4
