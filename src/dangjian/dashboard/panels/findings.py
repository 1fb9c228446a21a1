"""Findings: those open on the day by rule (kind) and severity, and new against resolved in
each month. Read from the rules' findings (``rules.Finding``) through the one door."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.dashboard.panels import register
from dangjian.dues.queries import month_end
from dangjian.rulebook import loader as rulebook
from dangjian.rules.models import Finding, Severity

SEVERITIES = [Severity.SERIOUS, Severity.WARNING, Severity.INFO]


def open_on_q(day) -> Q:
    """Open on ``day``: first found by then, and neither resolved nor dismissed by then (a
    finding found only in a replay of the past is not in the worklist)."""
    S = Finding.Status
    return (
        Q(first_seen__lte=day)
        & ~Q(status=S.PAST)
        & (
            Q(status__in=Finding.OPEN_STATUSES)
            | Q(status=S.RESOLVED, resolved_on__gt=day)
            | Q(status=S.DISMISSED, status_changed_at__date__gt=day)
        )
    )


@register("findings", gettext_lazy("Findings"), 20)
def compute(ctx) -> dict[str, Any]:
    findings = ctx.findings()
    open_rows = (
        findings.filter(open_on_q(ctx.day))
        .order_by()
        .values("rule_id", "severity")
        .annotate(n=Count("id"))
    )
    by_rule: dict[str, Counter] = {}
    for row in open_rows:
        by_rule.setdefault(row["rule_id"], Counter())[row["severity"]] += row["n"]
    book = rulebook.load()
    rules = sorted(by_rule, key=lambda r: (-sum(by_rule[r].values()), r))
    total = sum(sum(c.values()) for c in by_rule.values())
    serious = sum(c[Severity.SERIOUS] for c in by_rule.values())
    by_kind = {
        "id": "findings-kind",
        "title": _("Open findings by kind and severity"),
        "type": "stack",
        "unit": "",
        "x": [book.title(r) for r in rules],
        "series": [
            {"name": str(s.label), "data": [by_rule[r][s] for r in rules]} for s in SEVERITIES
        ],
        "links": [ctx.url("rules:finding_list", rule=r) for r in rules],
    }
    first, last = ctx.month_list[0], month_end(ctx.last_month)
    new = dict(
        findings.filter(first_seen__range=(first, last))
        .exclude(status=Finding.Status.PAST)
        .annotate(m=TruncMonth("first_seen"))
        .order_by()
        .values_list("m")
        .annotate(n=Count("id"))
    )
    resolved = dict(
        findings.filter(resolved_on__range=(first, last), status=Finding.Status.RESOLVED)
        .annotate(m=TruncMonth("resolved_on"))
        .order_by()
        .values_list("m")
        .annotate(n=Count("id"))
    )
    months = ctx.month_list
    flow = {
        "id": "findings-flow",
        "title": _("New and resolved findings per month"),
        "type": "bar",
        "unit": "",
        "x": [m.strftime("%Y-%m") for m in months],
        "series": [
            {"name": _("new"), "data": [new.get(m, 0) for m in months]},
            {"name": _("resolved"), "data": [resolved.get(m, 0) for m in months]},
        ],
        "links": [ctx.url("rules:finding_list", status="all") for m in months],
    }
    figures = [
        {
            "label": _("open findings"),
            "value": total,
            "unit": "",
            "link": ctx.url("rules:finding_list"),
        },
        {
            "label": _("of which serious"),
            "value": serious,
            "unit": "",
            "link": ctx.url("rules:finding_list", severity=Severity.SERIOUS),
        },
    ]
    return {"figures": figures, "charts": [by_kind, flow]}
