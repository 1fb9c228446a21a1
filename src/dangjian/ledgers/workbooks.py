"""Writing workbooks with openpyxl: templates, the user's own workbook with its errors marked,
and styled exports.
"""

from __future__ import annotations

import datetime
import logging
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from dangjian.core import sealed
from dangjian.core.exports import DATE_FORMAT, safe_cell, style_header
from dangjian.ledgers import reader, specs

logger = logging.getLogger(__name__)
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
ERROR_FONT = Font(color="9C0006")
EXAMPLE_FONT = Font(italic=True, color="808080")
ERROR_HEADER = "错误说明"
# The user's own workbook is annotated when openpyxl can load it cheaply; beyond this it is
# rebuilt from the values (openpyxl keeps every cell of a loaded workbook in memory).
ANNOTATE_MAX_XML = 40 * 1024 * 1024
TEMPLATE_ROWS = 2000


def template(ledger_key: str, version: int = specs.TEMPLATE_VERSION) -> openpyxl.Workbook:
    """The downloadable template: headers, an example row, drop-downs, notes, a version mark."""
    ledger = specs.LEDGERS[ledger_key]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = ledger.title
    ws.freeze_panes = "A2"
    for col, column in enumerate(ledger.columns, start=1):
        cell = ws.cell(1, col, column.header + ("*" if column.required else ""))
        style_header(cell, column.required)
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = max(column.width, len(column.header) * 2 + 2)
        example = ws.cell(2, col, safe_cell(_example(column)))
        example.font = EXAMPLE_FONT
        cells_range = f"{letter}2:{letter}{TEMPLATE_ROWS}"
        # Column styles apply to the cells users fill: dates as dates, codes as text (so
        # Excel never turns an ID number into 1.10105E+17).
        if column.kind == "date":
            ws.column_dimensions[letter].number_format = DATE_FORMAT
            example.number_format = DATE_FORMAT
        elif column.kind in ("id_number", "uscc", "phone", "text", "name", "month"):
            ws.column_dimensions[letter].number_format = "@"
            example.number_format = "@"
        if column.kind == "choice" or column.kind == "bool":
            options = list(dict.fromkeys(_display_options(column)))
            dv = DataValidation(
                type="list",
                formula1='"' + ",".join(options) + '"',
                allow_blank=not column.required,
                showErrorMessage=True,
                errorTitle="请从下拉列表中选择",
                error="可选值：" + "、".join(options),
            )
            dv.add(cells_range)
            ws.add_data_validation(dv)
        elif column.kind == "date":
            dv = DataValidation(
                type="date",
                operator="between",
                formula1="DATE(1900,1,1)",
                formula2="DATE(2099,12,31)",
                allow_blank=True,
                showErrorMessage=False,
                showInputMessage=True,
                promptTitle=column.header,
                prompt="日期，如 2019-06-28",
            )
            dv.add(cells_range)
            ws.add_data_validation(dv)
    ws.cell(2, len(ledger.columns) + 1, "← 示例行，填写时请删除或覆盖").font = EXAMPLE_FONT
    notes = wb.create_sheet(specs.NOTES_SHEET)
    notes.append([ledger.title + "　填写说明"])
    notes["A1"].font = Font(bold=True, size=14)
    notes.append(
        [
            ledger.note
            + " 带 * 的列必填。同一文件重复导入不会产生重复记录；“结束”类日期只结束记录，不删除。"
        ]
    )
    notes.append([])
    notes.append(["列名", "是否必填", "可识别的其他列名", "说明", "可选值"])
    for cell in notes[4]:
        style_header(cell)
    for column in ledger.columns:
        notes.append(
            [
                safe_cell(value)
                for value in [
                    column.header,
                    "必填" if column.required else "",
                    "、".join(column.synonyms),
                    column.note,
                    "、".join(dict.fromkeys(_display_options(column)))
                    if column.kind in ("choice", "bool")
                    else "",
                ]
            ]
        )
    for letter, width in zip("ABCDE", (24, 10, 30, 60, 40), strict=True):
        notes.column_dimensions[letter].width = width
    mark_version(wb, ledger_key, version)
    return wb


def _example(column: specs.Column):
    if column.kind == "date" and column.example:
        return datetime.date.fromisoformat(str(column.example))  # written as "YYYY-MM-DD"
    if column.kind == "bool":
        return "否"
    return column.example


def _display_options(column: specs.Column) -> list[str]:
    if column.kind == "bool":
        return ["是", "否"]
    labels = column.labels()
    seen, shown = set(), []
    for spelling, code in labels.items():
        if code not in seen:
            seen.add(code)
            shown.append(spelling)
    return shown


# --------------------------------------------------------------------------------------------
# The user's workbook with the errors marked
# --------------------------------------------------------------------------------------------


def _sheet_xml_size(path: Path) -> int:
    try:
        with sealed.open_read(path) as fh, zipfile.ZipFile(fh) as zf:
            return sum(
                i.file_size for i in zf.infolist() if i.filename.startswith("xl/worksheets/")
            )
    except zipfile.BadZipFile:
        return ANNOTATE_MAX_XML + 1


def error_workbook(table: reader.Table, errors: list, ledger_key: str, out: Path) -> Path:
    """Write ``out``: the user's workbook (or, for .xls/.csv/huge files, its values) with each
    invalid cell filled red and commented in Chinese, plus an error column per row.

    ``errors`` is ``[(row_number, {column key: message})]``; key ``"_"`` is a whole-row error.
    """
    by_row = dict(errors)
    columns = {key: index for index, key in table.header.mapping.items()}
    ledger = specs.LEDGERS[ledger_key]
    header_row = table.header.row_index + 1
    if table.kind == "xlsx" and _sheet_xml_size(table.path) <= ANNOTATE_MAX_XML:
        try:
            return _annotate_own(table, by_row, columns, ledger, header_row, out)
        except Exception:  # openpyxl cannot load every file calamine reads: rebuild it
            logger.warning("could not annotate %s in place; rebuilding it", table.path)
    return _rebuilt(table, by_row, columns, ledger, header_row, out)


def _annotate_own(table, by_row, columns, ledger, header_row, out: Path) -> Path:
    keep_vba = table.path.suffix.lower() == ".xlsm" or _has_vba(table.path)
    with sealed.open_read(table.path) as fh:
        wb = openpyxl.load_workbook(fh, keep_vba=keep_vba, keep_links=True)
    ws = wb[table.sheet_name]
    error_col = max(ws.max_column, len(table.header.labels)) + 1
    if ws.cell(header_row, error_col - 1).value == ERROR_HEADER:  # a re-upload
        error_col -= 1
        for r in range(header_row + 1, ws.max_row + 1):
            ws.cell(r, error_col).value = None
    for r in range(header_row + 1, ws.max_row + 1):  # clear marks of an earlier round
        for c in range(1, error_col):
            cell = ws.cell(r, c)
            if cell.comment is not None and cell.comment.author == "党建系统":
                cell.comment = None
                cell.fill = PatternFill()
    _mark(ws, by_row, columns, ledger, header_row, error_col)
    out = out.with_suffix(".xlsm" if keep_vba else ".xlsx")
    with sealed.writer(out) as fh:  # it holds the upload's personal data: sealed too
        wb.save(fh)
    return out


def _rebuilt(table, by_row, columns, ledger, header_row, out: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = (table.sheet_name or ledger.title)[:31]
    for c, label in enumerate(table.header.labels, start=1):
        style_header(ws.cell(header_row, c, safe_cell(label)))
    for number, values in table.rows():
        for c, value in enumerate(values, start=1):
            if value not in ("", None):
                # The rebuilt workbook holds the upload's values: a formula-like text stays text.
                value = safe_cell(value)
                cell = ws.cell(number, c, value)
                if isinstance(value, datetime.date):
                    cell.number_format = DATE_FORMAT
                elif isinstance(value, str):
                    cell.number_format = "@"
    error_col = len(table.header.labels) + 1
    _mark(ws, by_row, columns, ledger, header_row, error_col)
    out = out.with_suffix(".xlsx")
    with sealed.writer(out) as fh:
        wb.save(fh)
    return out


def _has_vba(path: Path) -> bool:
    try:
        with sealed.open_read(path) as fh, zipfile.ZipFile(fh) as zf:
            return "xl/vbaProject.bin" in zf.namelist()
    except zipfile.BadZipFile:
        return False


def _mark(ws, by_row, columns, ledger, header_row, error_col):
    head = ws.cell(header_row, error_col, ERROR_HEADER)
    style_header(head)
    ws.column_dimensions[get_column_letter(error_col)].width = 60
    for number, problems in by_row.items():
        texts = []
        for key, message in problems.items():
            if key == "_":
                texts.append(message)
                continue
            column = ledger.column(key)
            texts.append(f"{column.header}：{message}")
            index = columns.get(key)
            if index is None:
                continue
            cell = ws.cell(number, index + 1)
            cell.fill = ERROR_FILL
            cell.font = ERROR_FONT
            comment = Comment(message, "党建系统")
            comment.width, comment.height = 300, 120
            cell.comment = comment
        note = ws.cell(number, error_col, safe_cell("；".join(texts)))
        note.font = ERROR_FONT
        note.alignment = Alignment(wrap_text=True, vertical="top")


# --------------------------------------------------------------------------------------------
# Exports
# --------------------------------------------------------------------------------------------


def mark_version(wb, ledger_key: str, version: int) -> None:
    meta = wb.create_sheet(specs.META_SHEET)
    meta.append(["ledger", ledger_key])
    meta.append(["version", version])
    meta.sheet_state = "hidden"
    wb.defined_names[specs.DEFINED_NAME] = DefinedName(
        specs.DEFINED_NAME, attr_text=f'"{ledger_key}:v{version}"'
    )
