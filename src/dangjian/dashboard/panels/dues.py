"""Party dues: due against paid in each month, members paying, and members in arrears (the
rulebook's ``dues.arrears``), from ``dues.queries.figures`` over the party organizations whose
dues the viewer keeps (``scope.dues_branches``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from dangjian.core.money import yuan
from dangjian.dashboard.panels import register
from dangjian.dues import queries
from dangjian.rulebook import params

RULE = "dues.arrears"


@register("dues", gettext_lazy("Party dues"), 50)
def compute(ctx) -> dict[str, Any]:
    months = ctx.month_list
    fed = ctx.federation
    figures = queries.figures(
        ctx.dues_branches(),
        months[0],
        months[-1],
        ctx.day,
        arrears_months=params.value(RULE, "months", day=ctx.day, federation=fed),
        lookback_months=params.value(RULE, "lookback_months", day=ctx.day, federation=fed),
    )
    totals = figures.totals()
    rows = [totals.get(m) for m in months]
    x = [m.strftime("%Y-%m") for m in months]
    links = [ctx.url("dues:index") for _m in months]
    money = {
        "id": "dues-money",
        "title": _("Dues due and paid per month (yuan)"),
        "type": "bar",
        "unit": "",
        "x": x,
        "series": [
            {
                "name": pgettext("dues", "due"),
                "data": [float(yuan(r.due_fen)) if r else 0 for r in rows],
            },
            {"name": _("paid"), "data": [float(yuan(r.paid_fen)) if r else 0 for r in rows]},
        ],
        "links": links,
    }
    people = {
        "id": "dues-members",
        "title": _("Members owing and members who paid, per month"),
        "type": "line",
        "unit": "",
        "x": x,
        "series": [
            {"name": _("members owing dues"), "data": [r.members_due if r else 0 for r in rows]},
            {"name": _("members who paid"), "data": [r.members_paid if r else 0 for r in rows]},
        ],
        "links": links,
    }
    last = rows[-1]
    rate = round(100 * last.paid_fen / last.due_fen, 1) if last and last.due_fen else None
    summary = [
        {
            "label": _("dues paid of due, %(month)s") % {"month": x[-1]},
            "value": rate,
            "unit": "%",
            "link": ctx.url("dues:index"),
            "detail": f"{yuan(last.paid_fen) if last else 0} / {yuan(last.due_fen) if last else 0}",
        },
        {
            "label": _("members in arrears"),
            "value": sum(figures.arrears.values()),
            "unit": "",
            "link": ctx.url("dues:arrears"),
        },
    ]
    return {"figures": summary, "charts": [money, people]}
