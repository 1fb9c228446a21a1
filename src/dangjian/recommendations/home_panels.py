"""Handling recommendations on home pages: letters to finish and letters awaiting replies."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from dangjian.access import scope
from dangjian.access.home import Item, Panel, register
from dangjian.recommendations.models import Letter

SHOWN = {
    Letter.Status.SENT: (_("Letters sent, awaiting a reply"), "warning"),
    Letter.Status.DRAFT: (_("Letters drafted, to issue"), ""),
    Letter.Status.ISSUED: (_("Letters numbered, to send"), ""),
}


def letters(request, today):
    counts = dict(
        scope.visible(Letter, request.user)
        .filter(status__in=list(SHOWN))
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    url = reverse("recommendations:letter_list")
    return [
        Item(
            text,
            f"{url}?{urlencode({'status': status})}",
            count=counts.get(status, 0),
            tone=tone if counts.get(status) else "",
        )
        for status, (text, tone) in SHOWN.items()
    ]


def letters_received(request, today):
    """The supervising unit or registration authority: the letters addressed to it."""
    counts = scope.visible(Letter, request.user).aggregate(
        total=Count("pk"), waiting=Count("pk", filter=Q(status=Letter.Status.SENT))
    )
    url = reverse("recommendations:letter_list")
    waiting = counts["waiting"]
    return [
        Item(
            _("Letters to you awaiting your reply"),
            f"{url}?{urlencode({'status': Letter.Status.SENT})}",
            count=waiting,
            tone="warning" if waiting else "",
        ),
        Item(_("All letters to you"), url, count=counts["total"]),
    ]


def register_panels() -> None:
    register(
        Panel(
            "recommendations.received",
            _("Handling recommendations received"),
            capability="authority",
            items=letters_received,
            order=10,
        )
    )
    register(
        Panel(
            "recommendations.letters",
            _("Handling recommendations"),
            capability="officer",
            items=letters,
            order=40,
        )
    )
