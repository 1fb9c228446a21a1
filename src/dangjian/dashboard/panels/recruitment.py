"""Recruitment (发展党员) on the day: applicants on their way per stage of the procedure, and
the steps overdue — ``recruitment.queries.pipeline_figures``, the definition the pipeline page
and the rule ``recruitment.overdue`` share. Applicants are personal data: only those the viewer
may see (``scope.visible``), of the federation's subtree."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.access import scope
from dangjian.dashboard.panels import register
from dangjian.recruitment.models import Applicant
from dangjian.recruitment.queries import pipeline_figures


@register("recruitment", gettext_lazy("Recruitment"), 70)
def compute(ctx) -> dict[str, Any]:
    applicants = scope.visible(Applicant, ctx.viewer).filter(
        branch__federation_id__in=ctx.federation_ids
    )
    f = pipeline_figures(applicants, ctx.day)
    pipeline = ctx.url("recruitment:index")
    overdue = ctx.url("rules:finding_list", rule="recruitment.overdue")
    chart = {
        "id": "recruitment-stages",
        "title": _("Applicants by stage"),
        "type": "bar",
        "unit": "",
        "x": [title for _code, title, _n in f.stages],
        "series": [{"name": _("applicants"), "data": [n for _c, _t, n in f.stages]}],
        "links": [pipeline] * len(f.stages),
    }
    figures = [
        {
            "label": _("applicants on their way"),
            "value": f.in_progress,
            "unit": "",
            "link": pipeline,
        },
        {"label": _("overdue steps"), "value": f.overdue_steps, "unit": "", "link": overdue},
    ]
    return {"figures": figures, "charts": [chart]}
