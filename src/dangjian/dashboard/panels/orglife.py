"""Organizational life as a heat map, party organization × month: the share of the monthly
requirements (the rulebook's ``orglife.irregular``: 主题党日, and 支委会 where a committee
exists) met by a meeting that counts (``Meeting.counts``: held, with its quorum) — the same
requirements and the same test as the rule and the secretary's workspace. Quarterly and yearly
requirements are the findings' (the findings panel), not a monthly cell's."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Case, Count, IntegerField, Max, Value, When
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.models import valid_on_q
from dangjian.dashboard.panels import register
from dangjian.dues.queries import month_end
from dangjian.orglife.models import Meeting
from dangjian.party.models import Position
from dangjian.rulebook import params
from dangjian.rules.kinds.orglife import applicable

RULE = "orglife.irregular"
# Rows drawn in the heat map: the organizations with the lowest completion first; the table
# says how many there are and the findings list holds every one.
ROWS = 30


@register("orglife", gettext_lazy("Organizational life"), 30)
def compute(ctx) -> dict[str, Any]:
    reqs = params.value(RULE, "requirements", day=ctx.day, federation=ctx.federation)
    min_posts = params.value(RULE, "min_committee_posts", day=ctx.day, federation=ctx.federation)
    monthly = {
        kind: req
        for kind, req in reqs.items()
        if kind in Meeting.Kind.values and isinstance(req, dict) and req.get("period") == "month"
    }
    orgs = list(ctx.party_organizations().values("pk", "name", "kind", "valid_from", "valid_to"))
    ids = [o["pk"] for o in orgs]
    posts = dict(
        Position.objects.filter(valid_on_q(ctx.day), party_organization_id__in=ids)
        .order_by()
        .values_list("party_organization_id")
        .annotate(n=Count("id"))
    )
    months = ctx.month_list
    first, last = months[0], month_end(months[-1])
    held: dict[tuple[int, Any], set[str]] = defaultdict(set)
    # One row per organization and month with a flag per monthly kind held. The month is a
    # CASE over date ranges: plain comparisons on the indexed day, no date function per
    # meeting row (on SQLite a Python call each).
    month_no = Case(
        *[When(held_on__range=(m, month_end(m)), then=Value(i)) for i, m in enumerate(months)],
        output_field=IntegerField(),
    )
    kinds = list(monthly)
    flags = {
        f"k{i}": Max(Case(When(kind=k, then=Value(1)), default=Value(0)))
        for i, k in enumerate(kinds)
    }
    rows = (
        Meeting.objects.filter(
            party_organization_id__in=ctx.party_organizations().values("pk"),
            kind__in=kinds,
            counts=True,
            held_on__range=(first, last),
        )
        .annotate(m=month_no)
        .order_by()
        .values("party_organization_id", "m")
        .annotate(**flags)
        .values_list("party_organization_id", "m", *flags)
    )
    for po, index, *held_kinds in rows:
        held[(po, months[index])] = {k for k, h in zip(kinds, held_kinds, strict=True) if h}
    table = []
    met_last = owed_last = 0
    for o in orgs:
        wanted = [
            k
            for k, r in monthly.items()
            if applicable(r, o["kind"], posts.get(o["pk"], 0), min_posts)
        ]
        if not wanted:
            continue
        cells: list[int | None] = []
        for m in months:
            owed = o["valid_from"] <= m and (o["valid_to"] is None or o["valid_to"] >= month_end(m))
            if not owed:
                cells.append(None)
                continue
            met = len(held.get((o["pk"], m), set()) & set(wanted))
            cells.append(round(100 * met / len(wanted)))
            if m == months[-1]:
                met_last += met
                owed_last += len(wanted)
        known = [c for c in cells if c is not None]
        if known:
            table.append((sum(known) / len(known), o["name"], o["pk"], cells))
    table.sort(key=lambda r: (r[0], r[1]))
    shown = table[:ROWS]
    heat = {
        "id": "orglife-heat",
        "title": _("Monthly organizational life met (%)"),
        "type": "heatmap",
        "unit": "%",
        "x": [m.strftime("%Y-%m") for m in months],
        "y": [name for _avg, name, _pk, _cells in shown],
        "series": [
            {
                "name": _("met"),
                "data": [
                    [xi, yi, v]
                    for yi, (_avg, _name, _pk, cells) in enumerate(shown)
                    for xi, v in enumerate(cells)
                    if v is not None
                ],
            }
        ],
        "links": [
            reverse("party:party_organization_detail", args=[pk])
            for _avg, _name, pk, _cells in shown
        ],
        "note": _("%(shown)s of %(total)s party organizations, the lowest completion first")
        % {"shown": len(shown), "total": len(table)},
    }
    rate = round(100 * met_last / owed_last, 1) if owed_last else None
    figures = [
        {
            "label": _("monthly organizational life met, %(month)s")
            % {"month": months[-1].strftime("%Y-%m")},
            "value": rate,
            "unit": "%",
            "link": ctx.url("rules:finding_list", rule=RULE),
        },
        {
            "label": _("party organizations owing monthly meetings"),
            "value": len(table),
            "unit": "",
            "link": ctx.url("party:party_organization_list"),
        },
    ]
    return {"figures": figures, "charts": [heat]}
