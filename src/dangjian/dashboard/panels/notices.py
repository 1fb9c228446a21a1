"""Notices and tasks (LIFECYCLE.md N-6, N-8): the sign rate and the on-time rate of the notices
published each month, the feedback completion of the tasks, and each recurring duty's feedback
expected against accepted (``notices.queries``, ``notices.duties``). Everything is as it stood
at the end of the as-of day, from the receipts' timestamps: the notices published by then and
not withdrawn by then, signed by then, feedback accepted by then (a late signature counts for
its notice's month once it is given); the duties' cycles begun by then against their tasks and
feedback by then."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.dashboard.panels import register
from dangjian.dues.queries import month_end
from dangjian.notices import duties
from dangjian.notices.models import Notice
from dangjian.notices.queries import percent, standing_q, with_counts


def _bounds(first: datetime.date, last: datetime.date) -> tuple[datetime.datetime, ...]:
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return start, end


@register("notices", gettext_lazy("Notices and tasks"), 90)
def compute(ctx) -> dict[str, Any]:
    months = ctx.month_list
    start, end = _bounds(months[0], month_end(months[-1]))
    until = _bounds(ctx.day, ctx.day)[1]
    rows = with_counts(
        ctx.notices().filter(standing_q(until), published_at__gte=start, published_at__lt=end),
        until,
    ).values_list(  # type: ignore[misc]
        "published_at", "kind", "targets", "signed", "signed_on_time", "done"
    )
    keys = [m.strftime("%Y-%m") for m in months]
    totals = {k: [0, 0, 0, 0, 0] for k in keys}  # targets, signed, on time, task targets, done
    for published, kind, targets, signed, on_time, done in rows:
        t = totals.get(timezone.localtime(published).strftime("%Y-%m"))
        if t is None:
            continue
        t[0] += targets
        t[1] += signed
        t[2] += on_time
        if kind == Notice.Kind.TASK:
            t[3] += targets
            t[4] += done
    link = ctx.url("notices:notice_list")
    rates = {
        "id": "notices-rates",
        "title": _("Notices published per month: signed, on time, task feedback done (%)"),
        "type": "line",
        "unit": "%",
        "x": keys,
        "series": [
            {"name": _("sign rate"), "data": [percent(totals[k][1], totals[k][0]) for k in keys]},
            {
                "name": _("signed on time"),
                "data": [percent(totals[k][2], totals[k][0]) for k in keys],
            },
            {
                "name": _("task feedback done"),
                "data": [percent(totals[k][4], totals[k][3]) for k in keys],
            },
        ],
        "links": [link] * len(keys),
    }
    all_ = [sum(t[i] for t in totals.values()) for i in range(5)]
    progress = duties.progress(ctx.duties().filter(year=ctx.day.year, active=True), ctx.day)
    duty_chart = {
        "id": "notices-duties",
        "title": _("Recurring duties of %(year)s: feedback expected and accepted")
        % {"year": ctx.day.year},
        "type": "bar",
        "unit": "",
        "x": [p.duty.title for p in progress],
        "series": [
            {"name": _("cycles begun"), "data": [p.cycles_begun for p in progress]},
            {"name": _("tasks sent"), "data": [p.tasks for p in progress]},
            {"name": _("feedback expected"), "data": [p.feedback_expected for p in progress]},
            {"name": _("feedback accepted"), "data": [p.feedback_accepted for p in progress]},
        ],
        "links": [link] * len(progress),
    }
    figures = [
        {
            "label": _("sign rate of the notices of the last %(n)s months") % {"n": len(months)},
            "value": percent(all_[1], all_[0]),
            "unit": "%",
            "link": link,
            "detail": f"{all_[1]} / {all_[0]}",
        },
        {
            "label": _("task feedback done"),
            "value": percent(all_[4], all_[3]),
            "unit": "%",
            "link": link,
            "detail": f"{all_[4]} / {all_[3]}",
        },
        {
            "label": _("recurring duties' feedback accepted of expected"),
            "value": percent(
                sum(p.feedback_accepted for p in progress),
                sum(p.feedback_expected for p in progress),
            ),
            "unit": "%",
            "link": link,
        },
    ]
    charts = [rates] + ([duty_chart] if progress else [])
    return {"figures": figures, "charts": charts}
