"""Coverage rates (组织覆盖率, 单独组建率, 工作覆盖率) on the day and at each month end before it:
the rules app's one definition (``rules.coverage``), which reads its month-end snapshots."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.dashboard.panels import register
from dangjian.rules import coverage


@register("coverage", gettext_lazy("Coverage"), 10)
def compute(ctx) -> dict[str, Any]:
    fed = ctx.federation
    rates = coverage.as_of(coverage.Scope(fed), ctx.day)
    points = coverage.trend(fed, ctx.day)[-(ctx.months + 1) :]

    def link(day: str, measure: str) -> str:
        return ctx.url("rules:coverage_units", federation=fed.pk, day=day, measure=measure)

    day = ctx.day.isoformat()
    figures = [
        {"label": _("member units"), "value": rates.total, "unit": "", "link": link(day, "total")},
        {
            "label": _("organizational coverage"),
            "value": rates.organizational_rate,
            "unit": "%",
            "link": link(day, "organizational"),
            "detail": f"{rates.organizational} / {rates.total}",
        },
        {
            "label": _("single-build rate"),
            "value": rates.single_rate,
            "unit": "%",
            "link": link(day, "single"),
            "detail": f"{rates.single} / {rates.total}",
        },
        {
            "label": _("work coverage"),
            "value": rates.work_rate,
            "unit": "%",
            "link": link(day, "work"),
            "detail": f"{rates.work} / {rates.total}",
        },
    ]
    trend = {
        "id": "coverage-trend",
        "title": _("Coverage trend (month ends)"),
        "type": "line",
        "unit": "%",
        "x": [p["day"] for p in points],
        "series": [
            {"name": _("work coverage"), "data": [p["work_rate"] for p in points]},
            {
                "name": _("organizational coverage"),
                "data": [p["organizational_rate"] for p in points],
            },
            {"name": _("single-build rate"), "data": [p["single_rate"] for p in points]},
        ],
        "links": [link(p["day"], "organizational") for p in points],
    }
    return {"figures": figures, "charts": [trend]}
