"""The 党费收缴登记表: a branch's year, member by member and month by month, as a page and as
the .xlsx branches exchange (the usual form: 序号、姓名、党员类别、月缴纳基数、交纳比例、月应交、
1–12 月实交、全年应交、全年实交、欠交). The headers are the form's own, in Chinese, as in
``ledgers/specs/``; every cell goes through ``core.exports`` (``safe_cell``)."""

from __future__ import annotations

import decimal
import io
from typing import Any

from django.http import HttpResponse

from dangjian.core import exports
from dangjian.core.http import attach
from dangjian.core.money import FEN_PER_YUAN, yuan

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TITLE = "党费收缴登记表"
HEADERS = [
    "序号",
    "姓名",
    "党员类别",
    "月缴纳基数（元）",
    "交纳比例",
    "月应交（元）",
    *[f"{m}月实交（元）" for m in range(1, 13)],
    "全年应交（元）",
    "全年实交（元）",
    "欠交（元）",
    "欠交月份",
]
WIDTHS = [6, 10, 14, 14, 8, 12, *[10] * 12, 12, 12, 10, 30]
EXEMPT = "免交"


def _yuan(fen: int | None) -> decimal.Decimal | None:
    """Fen as an exact number of 元 for a spreadsheet cell (never a float)."""
    if fen is None:
        return None
    return decimal.Decimal(fen) / FEN_PER_YUAN


def _month_cell(cell: dict[str, Any] | None) -> object:
    if cell is None:
        return None  # not due that month (joined later, or not at this branch)
    if cell["paid_fen"] is not None:
        return _yuan(cell["paid_fen"])
    return EXEMPT if cell["due_fen"] == 0 else None


def rows(figures: dict[str, Any]) -> list[list[object]]:
    out: list[list[object]] = []
    for number, row in enumerate(figures["rows"], start=1):
        unpaid = max(row["due_fen"] - row["paid_fen"], 0)
        out.append(
            [
                number,
                row["name"],
                row["category"],
                _yuan(row["base_fen"]),
                row["rate"],
                _yuan(row["monthly_fen"]),
                *[_month_cell(row["months"].get(str(m))) for m in range(1, 13)],
                _yuan(row["due_fen"]),
                _yuan(row["paid_fen"]),
                _yuan(unpaid),
                "、".join(row["unpaid_months"]),
            ]
        )
    t = figures["totals"]
    out.append(
        [
            "合计",
            f"{t['members']} 人",
            "",
            None,
            "",
            None,
            *[None] * 12,
            _yuan(t["due_fen"]),
            _yuan(t["paid_fen"]),
            _yuan(t["unpaid_fen"]),
            "",
        ]
    )
    return out


def notes(figures: dict[str, Any]) -> list[str]:
    t = figures["totals"]
    return [
        f"党组织：{figures['branch']}",
        f"年度：{figures['year']}",
        f"统计截至：{figures['as_of']}",
        f"应交合计 {yuan(t['due_fen'])} 元，实交合计 {yuan(t['paid_fen'])} 元，"
        f"欠交合计 {yuan(t['unpaid_fen'])} 元。",
        f"已上缴上级党组织 {yuan(t['handed_in_fen'])} 元，上级已签收 {yuan(t['received_fen'])} 元。",
        "金额以元为单位，精确到分：月应交 = 月缴纳基数 × 交纳比例，四舍五入到分。",
        "“免交”为经上级党组织批准免交的月份；空白为未交或当月无应交党费。",
    ]


def response(figures: dict[str, Any]) -> HttpResponse:
    workbook = exports.workbook(TITLE, HEADERS, rows(figures), widths=WIDTHS, notes=notes(figures))
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    return attach(response, f"{figures['branch']}{figures['year']}年{TITLE}.xlsx", "dues.xlsx")


def display(figures: dict[str, Any]) -> dict[str, Any]:
    """The figures with every amount in 元 text, for the page."""

    def month(cell: dict[str, Any] | None) -> dict[str, str]:
        if cell is None:
            return {"text": "", "css": "text-muted"}
        if cell["paid_fen"] is not None:
            return {"text": yuan(cell["paid_fen"]), "css": ""}
        if cell["due_fen"] == 0:
            return {"text": EXEMPT, "css": "text-muted"}
        return {"text": "—", "css": "text-danger"}

    t = figures["totals"]
    return {
        **figures,
        "rows": [
            {
                **row,
                "base": yuan(row["base_fen"]),
                "monthly": yuan(row["monthly_fen"]),
                "due": yuan(row["due_fen"]),
                "paid": yuan(row["paid_fen"]),
                "unpaid": yuan(max(row["due_fen"] - row["paid_fen"], 0)),
                "cells": [month(row["months"].get(str(m))) for m in range(1, 13)],
            }
            for row in figures["rows"]
        ],
        "totals_yuan": {k: yuan(v) for k, v in t.items() if k.endswith("_fen")},
    }
