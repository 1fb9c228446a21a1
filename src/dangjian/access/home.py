"""Home pages per role, built from panels (issue 16): every role starts on its own work.

The home page (``/``, ``access.views.home``) shows, in order, each registered panel whose
capability (``access.capabilities``) the user has; a signed-in user with no role at all gets a
page saying so and whom to ask. ``access`` imports no app: each app registers its own panels
from ``<app>/home_panels.py``, called in its ``AppConfig.ready``::

    from dangjian.access.home import Item, Panel, register

    def _due(request, today):
        return [Item(_("Minutes to finish"), reverse("orglife:workspace"), count=3)]

    register(Panel("orglife.due", _("Meetings"), capability="keep_meetings", items=_due))

A panel is a title, a capability and a function ``items(request, today)`` returning its to-do
``Item``s (text, link to where the work is done, count, due date, tone). Read through
``dangjian.access.scope`` as any page does; keep it to a few queries (the home page has a
query-count baseline and a benchmark). A panel that draws something other than a list of
items names its own ``template`` (rendered with ``panel``, ``items``, ``today``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from dangjian.access import capabilities
from dangjian.access.scope import AnyUser

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Item:
    """One thing to do: what, where it is done, how many, by when."""

    text: StrOrPromise
    url: str
    count: int | None = None
    due: datetime.date | None = None
    # "danger" (late, serious), "warning" (due soon) or "" (plain)
    tone: str = ""
    note: StrOrPromise = ""


@dataclass(frozen=True)
class Panel:
    key: str  # unique, "<app>.<name>"; the panel's HTML id is "panel-<key>" with dots as dashes
    title: StrOrPromise
    capability: str  # a name in access.capabilities; without it the panel is not shown
    items: Callable[[HttpRequest, datetime.date], Sequence[Any]]
    order: int = 100  # smaller first
    empty: StrOrPromise = field(default=_("Nothing to do here."))
    hide_when_empty: bool = False
    template: str = "access/home/items.html"

    @property
    def html_id(self) -> str:
        return "panel-" + self.key.replace(".", "-").replace("_", "-")


_PANELS: dict[str, Panel] = {}


def register(panel: Panel) -> Panel:
    """Add a panel to every home page whose user has its capability (once per key)."""
    if panel.key in _PANELS and _PANELS[panel.key] != panel:
        raise ValueError(f"home panel {panel.key!r} is registered twice")
    if panel.capability not in capabilities.names():
        raise ValueError(f"home panel {panel.key!r}: unknown capability {panel.capability!r}")
    _PANELS[panel.key] = panel
    return panel


def registered() -> list[Panel]:
    return sorted(_PANELS.values(), key=lambda p: (p.order, p.key))


def panels_for(user: AnyUser) -> list[Panel]:
    """The panels ``user`` gets, in order."""
    return [p for p in registered() if capabilities.has(user, p.capability)]


@dataclass
class Shown:
    panel: Panel
    items: Sequence[Any]


def build(request: HttpRequest, today: datetime.date) -> list[Shown]:
    """Each of the user's panels with its items (empty ones kept unless they hide)."""
    shown = []
    for panel in panels_for(request.user):
        items = panel.items(request, today)
        if items or not panel.hide_when_empty:
            shown.append(Shown(panel, items))
    return shown
