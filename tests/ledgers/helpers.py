"""Building messy workbooks in tests, and driving an upload through the services."""

from pathlib import Path

import openpyxl

from dangjian.ledgers import services

MEMBER_HEADERS = [
    "姓名",
    "性别",
    "公民身份号码",
    "联系电话",
    "学历",
    "入党日期",
    "转正日期",
    "工作单位统一社会信用代码",
    "职务",
    "组织关系所在党组织",
    "是否流动党员",
]


def write_xlsx(path: Path, rows, *, merges=(), text_columns=(), sheet_title="Sheet1") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet_title
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                cell = ws.cell(r, c, value)
                if c in text_columns:
                    cell.number_format = "@"
    for merge in merges:
        ws.merge_cells(merge)
    wb.save(path)
    return path


def write_csv(path: Path, rows, encoding="utf-8") -> Path:
    import csv

    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows([["" if v is None else v for v in row] for row in rows])
    return path


def upload(world, path: Path, ledger="members", name=None):
    item = services.receive_upload(
        [path.read_bytes()],
        name or path.name,
        federation=world.federation,
        ledger=ledger,
        actor=world.user,
    )
    if item.status == item.Status.RECEIVED:
        services.analyse(item, actor=world.user)
    item.refresh_from_db()
    return item


def commit(world, item, valid_only=False):
    services.commit(item, actor=world.user, valid_only=valid_only)
    item.refresh_from_db()
    return item


def errors_by_row(item) -> dict:
    return {number: problems for number, problems in item.preview["errors"]}
