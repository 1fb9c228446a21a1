"""The dues ledger in and out: a branch's month exported, filled in and imported again — new
payments recorded once, a re-import changes nothing, bad cells refused in Chinese with their
row and column, and a month recorded differently is never overwritten."""

import datetime
import io

import openpyxl
import pytest
from django.utils import translation

from dangjian.dues import services
from dangjian.dues.models import DuesPayment
from dangjian.ledgers import exports
from dangjian.ledgers import services as ledger_services

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def setup(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with translation.override("zh-hans"):
        yield


def january(branch):
    a, b = branch.member("甲"), branch.member("乙")
    branch.declare(a, 2000.00)  # 10.00 a month
    branch.declare(b, 4000.00)  # 40.00 a month
    branch.assess()
    services.record_payment(
        a,
        months=[D(2026, 1, 1)],
        amount_fen=1000,
        paid_on=D(2026, 1, 9),
        method="online",
        actor=branch.secretary,
        today=D(2026, 1, 9),
    )
    return a, b


def exported(branch, tmp_path, months, name="dues.xlsx"):
    workbook, _count = exports.dues(branch.officer, branch.po, months, personal=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    path = tmp_path / name
    path.write_bytes(buffer.getvalue())
    return path


def run(branch, path, *, commit):
    item = ledger_services.receive_upload(
        [path.read_bytes()], path.name, federation=branch.fed, ledger="dues", actor=branch.officer
    )
    ledger_services.analyse(item, actor=branch.officer)
    item.refresh_from_db()
    if commit:
        ledger_services.commit(item, actor=branch.officer)
        item.refresh_from_db()
    return item


def edit(path, changes):
    """``changes``: {(row, header): value} on the ledger's sheet."""
    wb = openpyxl.load_workbook(path)
    ws = wb["党费收缴台账"]
    headers = {cell.value: cell.column for cell in ws[1]}
    for (row, header), value in changes.items():
        ws.cell(row, headers[header], value)
    wb.save(path)
    return path


def rows_of(path):
    ws = openpyxl.load_workbook(path)["党费收缴台账"]
    return [[c.value for c in row] for row in ws.iter_rows(min_row=2)]


def test_round_trip(branch, tmp_path):
    a, b = january(branch)
    path = exported(branch, tmp_path, [D(2026, 1, 1)])
    rows = {r[0]: r for r in rows_of(path)}
    assert rows["甲"][3:10] == [
        "2026-01",
        10,
        10,
        datetime.datetime(2026, 1, 9),
        "线上缴纳",
        rows["甲"][8],
        None,
    ]
    assert rows["乙"][5] is None  # unpaid: no amount
    # Imported as it is, nothing changes.
    item = run(branch, path, commit=True)
    assert {k: item.counts[k] for k in ("new", "changed", "unchanged", "invalid")} == {
        "new": 0,
        "changed": 0,
        "unchanged": 2,
        "invalid": 0,
    }
    # 乙's row filled in: one payment recorded, through the dues services.
    row_b = 2 + [r[0] for r in rows_of(path)].index("乙")
    edit(
        path,
        {
            (row_b, "实交金额（元）"): "40.00",
            (row_b, "交纳日期"): "2026年1月20日",
            (row_b, "交纳方式"): "转账",
        },
    )
    item = run(branch, path, commit=True)
    assert item.counts["new"] == 1 and item.status == item.Status.COMMITTED
    paid = DuesPayment.objects.get(member=b, month=D(2026, 1, 1))
    assert (paid.amount_fen, paid.paid_on, paid.method) == (4000, D(2026, 1, 20), "transfer")
    assert paid.receipt_no
    # The same file again: idempotent.
    item = run(branch, path, commit=True)
    assert {k: item.counts[k] for k in ("new", "changed", "unchanged", "invalid")} == {
        "new": 0,
        "changed": 0,
        "unchanged": 2,
        "invalid": 0,
    }
    assert DuesPayment.objects.filter(member__in=[a, b]).count() == 2


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-5", "金额不能为负数"),
        ("五十", "不是金额"),
        ("40.005", "超过两位小数"),
        ("39.99", "应交 40.00 元"),
    ],
)
def test_bad_amounts_are_refused_with_their_row(branch, tmp_path, amount, message):
    january(branch)
    path = exported(branch, tmp_path, [D(2026, 1, 1)])
    row_b = 2 + [r[0] for r in rows_of(path)].index("乙")
    edit(path, {(row_b, "实交金额（元）"): amount, (row_b, "交纳日期"): "2026-01-20"})
    item = run(branch, path, commit=False)
    errors = {n: e for n, e in item.preview["errors"]}
    assert message in errors[row_b]["amount"]
    assert item.counts["invalid"] == 1


def test_a_month_recorded_differently_is_not_overwritten(branch, tmp_path):
    a, _b = january(branch)
    path = exported(branch, tmp_path, [D(2026, 1, 1)])
    row_a = 2 + [r[0] for r in rows_of(path)].index("甲")
    edit(path, {(row_a, "实交金额（元）"): 12})
    item = run(branch, path, commit=False)
    errors = {n: e for n, e in item.preview["errors"]}
    assert "该月已记录为已交（10.00 元，2026-01-09" in errors[row_a]["amount"]
    assert DuesPayment.objects.get(member=a).amount_fen == 1000


def test_unknown_member_name_mismatch_and_old_back_payment(branch, tmp_path):
    january(branch)
    path = exported(branch, tmp_path, [D(2026, 1, 1)])
    row_b = 2 + [r[0] for r in rows_of(path)].index("乙")
    edit(
        path,
        {(row_b, "姓名"): "丁", (row_b, "实交金额（元）"): 40, (row_b, "交纳日期"): "2026-09-01"},
    )
    errors = {n: e for n, e in run(branch, path, commit=False).preview["errors"]}
    assert "姓名与该身份证号码对应的党员（乙）不符" in errors[row_b]["name"]
    assert "最多补交缴费当月之前 6 个月" in errors[row_b]["month"]


def test_the_year_exported_per_branch(branch, tmp_path):
    january(branch)
    rows = rows_of(exported(branch, tmp_path, [D(2026, m, 1) for m in range(1, 13)]))
    assert len(rows) == 24  # two members, twelve months
    assert {r[3] for r in rows} == {f"2026-{m:02d}" for m in range(1, 13)}


def test_the_template_reads_back_as_the_dues_ledger(tmp_path):
    from dangjian.ledgers import workbooks

    wb = workbooks.template("dues")
    ws = wb["党费收缴台账"]
    assert [c.value for c in ws[1]][:6] == [
        "姓名",
        "公民身份号码*",
        "所在党组织",
        "月份*",
        "应交金额（元）",
        "实交金额（元）",
    ]
    assert ws["D2"].value == "2026-03" and ws["D2"].number_format == "@"
