"""The dashboard (the figures of a federation as of a day, each chart with its table) and the
big screen (1920 × 1080, dark, refreshing itself from ``data``). Open to those who may see a
federation (``scope.federations``); anyone else gets a 404, and no menu entry."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from dangjian.access import scope
from dangjian.dashboard.context import Context
from dangjian.dashboard.forms import DashboardForm
from dangjian.dashboard.models import PanelSnapshot
from dangjian.dashboard.panels import panels, table

# What the big screen shows (a room reads a few large figures and six charts): figures by
# panel and position, charts by id; a panel added later joins by adding its ids here.
SCREEN_TILES = (
    "coverage-1",
    "coverage-2",
    "coverage-3",
    "findings-0",
    "orglife-0",
    "members-0",
    "dues-0",
)
SCREEN_CHARTS = (
    "coverage-trend",
    "findings-kind",
    "findings-flow",
    "orglife-heat",
    "members-age",
    "dues-money",
)
# The big screen asks for new figures this often: it reads the snapshots (one query), and a
# room's screen needs no fresher figures than the night's.
REFRESH_SECONDS = 300


def _choose(request) -> tuple[DashboardForm, Context, bool]:
    """The form, the context, and whether the day was asked for (else: the latest snapshot's)."""
    feds = scope.federations(request.user).order_by("path")
    form = DashboardForm(request.GET or None, federations=feds)
    data = form.cleaned_data if form.is_valid() else {}
    federation = data.get("federation") or feds.first()
    if federation is None:
        raise Http404
    day = data.get("day")
    asked = day is not None
    if day is None:
        # No day asked for: the latest nightly snapshot (today's, once the night's run is
        # done), so opening the page never recomputes a large federation; today when none.
        latest = (
            scope.visible(PanelSnapshot, request.user)
            .filter(federation=federation, day__lte=timezone.localdate())
            .order_by("-day")
            .values_list("day", flat=True)
            .first()
        )
        day = latest or timezone.localdate()
    return form, Context(federation, day, request.user), asked


def load(ctx: Context, *, live: bool = False) -> list[dict[str, Any]]:
    """Each panel's figures: from the snapshot of the federation and day when there is one
    (unless ``live``), else computed now through the one door."""
    stored: dict[str, PanelSnapshot] = {}
    if not live:
        stored = {
            s.panel: s
            for s in scope.visible(PanelSnapshot, ctx.viewer).filter(
                federation=ctx.federation, day=ctx.day
            )
        }
    result = []
    for panel in panels():
        snap = stored.get(panel.key)
        data = snap.data if snap else panel.compute(ctx)
        result.append(
            {
                "key": panel.key,
                "title": str(panel.title),
                "computed_at": snap.computed_at if snap else None,
                "figures": data.get("figures", []),
                "charts": [chart | {"table": table(chart)} for chart in data.get("charts", [])],
            }
        )
    return result


def _charts_json(loaded: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        c["id"]: {k: v for k, v in c.items() if k != "table"} for p in loaded for c in p["charts"]
    }


@login_required
def index(request):
    form, ctx, _asked = _choose(request)
    loaded = load(ctx, live=request.GET.get("live") == "1")
    stamps = [p["computed_at"] for p in loaded if p["computed_at"]]
    return render(
        request,
        "dashboard/index.html",
        {
            "form": form,
            "ctx": ctx,
            "panels": loaded,
            "charts": _charts_json(loaded),
            "snapshot_at": min(stamps) if stamps else None,
            "query": f"federation={ctx.federation.pk}&day={ctx.day.isoformat()}",
        },
    )


@login_required
def screen(request):
    _form, ctx, asked = _choose(request)
    loaded = load(ctx)
    charts = {c["id"]: c for p in loaded for c in p["charts"]}
    return render(
        request,
        "dashboard/screen.html",
        {
            "ctx": ctx,
            "tiles": [
                {"id": f"{p['key']}-{i}", **f}
                for p in loaded
                for i, f in enumerate(p["figures"])
                if f"{p['key']}-{i}" in SCREEN_TILES
            ],
            "screen_charts": [charts[c] for c in SCREEN_CHARTS if c in charts],
            "charts": _charts_json(loaded),
            "refresh_seconds": REFRESH_SECONDS,
            # A day asked for stays; otherwise each refresh takes the latest night's figures.
            "query": f"federation={ctx.federation.pk}"
            + (f"&day={ctx.day.isoformat()}" if asked else ""),
        },
    )


@login_required
def data(request):
    """The big screen's refresh: every figure and chart, as JSON."""
    _form, ctx, _asked = _choose(request)
    loaded = load(ctx)
    return JsonResponse(
        {
            "federation": str(ctx.federation),
            "day": ctx.day.isoformat(),
            "figures": {f"{p['key']}-{i}": f for p in loaded for i, f in enumerate(p["figures"])},
            "charts": _charts_json(loaded),
            "at": datetime.datetime.now(tz=datetime.UTC).isoformat(),
        }
    )
