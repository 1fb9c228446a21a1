"""Styled .xlsx workbooks: one header style, typed cells, a notes sheet.

Every export of the system (list pages, the ledgers, the coverage statistics) is written here,
so they all look alike. Workbooks are write-only: rows are streamed, so a large export stays
small in memory.

Every text cell the system writes — in these workbooks, the ledger templates and error
workbooks, and the audit CSV — passes :func:`safe_cell`: text a spreadsheet would read as a
formula (OWASP's CSV injection) is written as plain text instead.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

HEADER_FILL = PatternFill("solid", fgColor="B3140C")
HEADER_FONT = Font(bold=True, color="FFFFFF")
REQUIRED_FONT = Font(bold=True, color="FFFF00")
THIN = Side(style="thin", color="BFBFBF")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
NOTES_SHEET = "说明"
# What makes Excel, WPS or LibreOffice read a cell as a formula (OWASP, "CSV Injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"


def safe_cell(value: object) -> object:
    """``value`` as a cell that cannot run as a formula: text that starts with ``=``, ``+``,
    ``-``, ``@``, tab or carriage return gets a leading apostrophe (shown as text by Excel and
    WPS); numbers, dates and other values pass unchanged (a negative number stays a number).

    Text that already starts with apostrophes before such a character gets one more, so
    :func:`unescape_cell` gives back exactly the original text (the ledger import reads what
    the exports write)."""
    if isinstance(value, str) and value.lstrip(ESCAPE).startswith(FORMULA_TRIGGERS):
        return ESCAPE + value
    return value


def unescape_cell(text: str) -> str:
    """The text :func:`safe_cell` was given: the one apostrophe it added, removed."""
    if text.startswith(ESCAPE) and text.lstrip(ESCAPE).startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


def style_header(cell: Any, required: bool = False) -> None:
    """The header look of every workbook (a required column's header in yellow). ``cell`` is any
    openpyxl cell (openpyxl ships no types)."""
    cell.fill = HEADER_FILL
    cell.font = REQUIRED_FONT if required else HEADER_FONT
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    cell.border = BORDER


def add_sheet(
    wb: openpyxl.Workbook,
    title: str,
    headers: list[str],
    rows: Iterable[Iterable[object]] = (),
    *,
    widths: list[int] | None = None,
) -> Any:  # the openpyxl write-only worksheet (openpyxl ships no types)
    """A sheet of a write-only workbook: styled, frozen header row, then ``rows`` with dates,
    datetimes and text cells formatted as such (text stays text: "001" is not a number)."""
    ws = wb.create_sheet(title[:31])
    ws.freeze_panes = "A2"
    for c, width in enumerate(widths or [], start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    head = []
    for label in headers:
        cell = WriteOnlyCell(ws, safe_cell(label))
        style_header(cell)
        head.append(cell)
    ws.append(head)
    for row in rows:
        out = []
        for value in row:
            value = safe_cell(value)
            cell = WriteOnlyCell(ws, value)
            if isinstance(value, datetime.datetime):  # a datetime is a date too: test it first
                cell.number_format = DATETIME_FORMAT
            elif isinstance(value, datetime.date):
                cell.number_format = DATE_FORMAT
            elif isinstance(value, str):
                cell.number_format = "@"
            out.append(cell)
        ws.append(out)
    return ws


def add_notes(wb: openpyxl.Workbook, lines: Iterable[str]) -> None:
    """The notes sheet: when, by whom, under which filter, how figures are defined."""
    info = wb.create_sheet(NOTES_SHEET)
    for line in lines:  # notes quote the user's filter: neutralised like any cell
        info.append([safe_cell(line)])


def workbook(
    title: str,
    headers: list[str],
    rows: Iterable[Iterable[object]],
    *,
    widths: list[int] | None = None,
    notes: Iterable[str] = (),
) -> openpyxl.Workbook:
    """One styled sheet of ``rows`` (and a notes sheet when there are notes)."""
    wb = openpyxl.Workbook(write_only=True)
    add_sheet(wb, title, headers, rows, widths=widths)
    notes = list(notes)
    if notes:
        add_notes(wb, notes)
    return wb
