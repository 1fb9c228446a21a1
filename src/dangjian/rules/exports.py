"""The coverage statistics workbook: the rates of ``rules.coverage`` for each federation the
user may export, in total and broken down (by category, legal form, district, sector, domain).
"""

from __future__ import annotations

import openpyxl
from django.utils import timezone, translation

from dangjian.access import scope
from dangjian.access.models import Action
from dangjian.core import exports
from dangjian.registry.models import Organization
from dangjian.rules import coverage

DIMENSION_TITLES = {
    "category": "按单位类别",
    "legal_form": "按法人类型",
    "district": "按所在区",
    "sector": "按企业与社会组织",
    "domain": "按领域",
}
RATE_HEADERS = [
    "会员单位数",
    "党组织覆盖单位数",
    "单独组建单位数",
    "工作覆盖单位数",
    "组织覆盖率（%）",
    "单独组建率（%）",
    "工作覆盖率（%）",
]
CHOICES = {"category": Organization.Category, "legal_form": Organization.LegalForm}
UNFILLED = "（未填写）"


def _rate_cells(rates) -> list:
    return [
        rates.total,
        rates.organizational,
        rates.single,
        rates.work,
        rates.organizational_rate,
        rates.single_rate,
        rates.work_rate,
    ]


def _dimension_label(dimension: str, value: str) -> str:
    if dimension == "sector":
        return {"enterprise": "企业", "social": "社会组织"}.get(value, value)
    if dimension in CHOICES and value:
        with translation.override("zh-hans"):  # the workbook is in Chinese throughout
            return str(dict(CHOICES[dimension].choices).get(value, value))
    return value or UNFILLED


def coverage_statistics(user) -> openpyxl.Workbook | None:
    """One sheet for the totals and one per breakdown, for each federation the user may export
    (None when there is none). The figures are the coverage page's (``rules.coverage.figures``:
    every breakdown of a federation at once, kept for the day and followed as the facts
    change), not counted again per sheet."""
    federations = list(scope.federations(user, Action.EXPORT).order_by("path"))
    if not federations:
        return None
    day = timezone.localdate()
    figures = {fed.pk: coverage.figures(coverage.Scope(fed), day) for fed in federations}
    wb = openpyxl.Workbook(write_only=True)
    headers = ["联合会", *RATE_HEADERS]
    exports.add_sheet(
        wb,
        "总体",
        headers,
        ([fed.name, *_rate_cells(figures[fed.pk].rates)] for fed in federations),
        widths=[18] * len(headers),
    )
    headers = ["联合会", "分类", *RATE_HEADERS]
    for dimension in coverage.DIMENSIONS:
        exports.add_sheet(
            wb,
            DIMENSION_TITLES.get(dimension, dimension),
            headers,
            (
                [fed.name, _dimension_label(dimension, value), *_rate_cells(rates)]
                for fed in federations
                for value, rates in figures[fed.pk].by[dimension]
            ),
            widths=[18] * len(headers),
        )
    exports.add_notes(
        wb,
        [
            f"统计日期：{day:%Y-%m-%d}",
            "组织覆盖率 = 党组织覆盖（单独、联合或依托理事会）的会员单位数 ÷ 会员单位数",
            "单独组建率 = 单独组建党组织的会员单位数 ÷ 会员单位数",
            "工作覆盖率 = 党组织覆盖或选派了党建工作指导员/联络员的会员单位数 ÷ 会员单位数",
        ],
    )
    return wb
