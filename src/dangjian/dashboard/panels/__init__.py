"""The dashboard's panels: each figure is a small registered piece (issue 16), not a page.

A panel is a function ``compute(ctx) -> dict`` (``dashboard.context.Context``: the federation,
the day, and the querysets of the one door) registered here with a key, a title and an order.
What it returns is plain JSON — headline figures and charts — so the same data is drawn by
ECharts, shown as a table (for screen readers and for people who prefer numbers) and stored in
the nightly snapshot (``dashboard.models.PanelSnapshot``). An issue that brings new figures
(recruitment, transfers, notices …) adds one module to this package and registers its panel.

Shape of a panel's data::

    {"figures": [{"label", "value", "unit", "link"}],
     "charts": [{"id", "title", "type": line|bar|stack|heatmap|pie, "unit",
                 "x": [labels], "series": [{"name", "data"}], "links": [url per x],
                 "y": [row labels] and "links" per row for a heatmap, "note"}]}
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class Panel:
    key: str
    title: str | Promise
    order: int
    compute: Callable[[Any], dict[str, Any]]


PANELS: dict[str, Panel] = {}


def register(key: str, title: str | Promise, order: int):
    """Decorator: ``@register("dues", _("Party dues"), 50)`` over ``compute(ctx)``."""

    def add(compute: Callable[[Any], dict[str, Any]]) -> Callable[[Any], dict[str, Any]]:
        if key in PANELS:
            raise ValueError(f"panel {key!r} is registered twice")
        PANELS[key] = Panel(key, title, order, compute)
        return compute

    return add


def panels() -> list[Panel]:
    """Every registered panel, in order (importing the modules registers them)."""
    from dangjian.dashboard.panels import (  # noqa: F401
        coverage,
        dues,
        findings,
        members,
        notices,
        orglife,
        recruitment,
        terms,
        transfers,
    )

    return sorted(PANELS.values(), key=lambda p: p.order)


def table(chart: dict[str, Any]) -> dict[str, Any]:
    """The chart as a table: one row per category (a heat map: per row label), one column per
    series (a heat map: per column label). The page shows it beside the chart."""
    if chart["type"] == "heatmap":
        cells = {(x, y): v for x, y, v in chart["series"][0]["data"]}
        columns = list(chart["x"])
        rows = [
            {
                "label": label,
                "link": (chart.get("links") or [None] * len(chart["y"]))[yi],
                "values": [cells.get((xi, yi)) for xi in range(len(columns))],
            }
            for yi, label in enumerate(chart["y"])
        ]
        return {"columns": columns, "rows": rows}
    columns = [s["name"] for s in chart["series"]]
    links = chart.get("links") or [None] * len(chart["x"])
    rows = [
        {
            "label": label,
            "link": links[i],
            "values": [s["data"][i] for s in chart["series"]],
        }
        for i, label in enumerate(chart["x"])
    ]
    return {"columns": columns, "rows": rows}
