"""The party-member rows of an application as an Excel workbook: the blank template, and the
reading of a filled one into the same fields as the on-page rows.

Small and self-contained on purpose: the general ledger import (validate → preview → commit)
lives in ``dangjian.ledgers``. Cells are read with python-calamine; each row becomes the data of
one row of the on-page formset, so every value is validated by the same form, with the message
beside the field.
"""

from __future__ import annotations

import datetime
import io
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Font
from python_calamine import CalamineWorkbook

from dangjian.core.exports import safe_cell
from dangjian.core.uploads import XLSX, check_upload
from dangjian.party.models import PartyMember

MAX_ROWS = 500

# Column header → form field, in the template's order.
COLUMNS = [
    ("姓名", "name"),
    ("性别", "gender"),
    ("民族", "ethnicity"),
    ("身份证号码", "id_number"),
    ("联系电话", "phone"),
    ("学历", "education"),
    ("入党日期", "joined_party_on"),
    ("转正日期", "full_member_on"),
    ("组织关系所在", "relation_held_by"),
    ("职务", "job_title"),
    ("入职日期", "employed_since"),
]
DATE_FIELDS = {"joined_party_on", "full_member_on", "employed_since"}
GENDERS = {"男": PartyMember.Gender.MALE, "女": PartyMember.Gender.FEMALE}
EDUCATION = {
    "中专及以下": "secondary",
    "高中": "secondary",
    "中专": "secondary",
    "大专": "college",
    "本科": "bachelor",
    "大学本科": "bachelor",
    "硕士": "master",
    "硕士研究生": "master",
    "博士": "doctor",
    "博士研究生": "doctor",
}
_DATE = re.compile(r"^(\d{4})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*日?$")


def template() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "党员信息"
    ws.append([safe_cell(header) for header, _field in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.append(
        safe_cell(value)
        for value in [
            "张三",
            "男",
            "汉族",
            "11010519491231002X",
            "13800000000",
            "本科",
            "2015-07-01",
            "2016-07-01",
            "天津市某某党委",
            "秘书长",
            "2020-01-01",
        ]
    )
    for column in ("D", "E"):
        for cell in ws[column]:
            cell.number_format = "@"  # text: Excel must not turn ID numbers into 1.1E+17
        ws.column_dimensions[column].width = 22
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell(field: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        if field == "id_number" or (field == "phone" and value >= 1e11):
            # Excel already rounded a long number: the digits are gone.
            return f"{value:.0f}" if value < 1e15 else f"{value:E}"
        value = int(value) if value.is_integer() else value
    text = str(value).strip()
    if field in DATE_FIELDS:
        match = _DATE.match(text)
        if match:
            text = "{:04d}-{:02d}-{:02d}".format(*map(int, match.groups()))
    if field == "gender":
        text = GENDERS.get(text, text)
    if field == "education":
        text = EDUCATION.get(text, text)
    return text


def read_members(upload) -> list[dict]:
    """Rows of the uploaded workbook as form data; ``ValidationError`` for the file as a whole."""
    check_upload(upload, allowed=(XLSX,))
    try:
        workbook = CalamineWorkbook.from_filelike(upload)
        rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=True)
    except Exception:  # calamine raises its own errors for damaged workbooks
        raise ValidationError(
            _("The workbook cannot be read; please use the template."), code="workbook"
        ) from None
    if not rows:
        raise ValidationError(_("The workbook is empty."), code="workbook_empty")
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    positions = {}
    for title, field in COLUMNS:
        if title in header:
            positions[field] = header.index(title)
    missing = [t for t, f in COLUMNS[:4] if f not in positions] + [
        t for t, f in COLUMNS if f == "joined_party_on" and f not in positions
    ]
    if missing:
        raise ValidationError(
            _("The first row must hold the column titles of the template; missing: %(cols)s."),
            code="workbook_columns",
            params={"cols": "、".join(missing)},
        )
    result = []
    for raw in rows[1:]:
        if all(v in (None, "") for v in raw):
            continue
        result.append(
            {
                field: _cell(field, raw[i] if i < len(raw) else None)
                for field, i in positions.items()
            }
        )
    if len(result) > MAX_ROWS:
        raise ValidationError(
            _("At most %(max)d rows can be imported at once."),
            code="workbook_rows",
            params={"max": MAX_ROWS},
        )
    return result
