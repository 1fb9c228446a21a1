"""The case collection on home pages: an expert's reviews still to score."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.access import scope
from dangjian.access.home import Item, Panel, register
from dangjian.cases.models import Campaign, Review


def reviews_due(request, today):
    due = (
        scope.visible(Review, request.user)
        .filter(completed_at__isnull=True, submission__campaign__stage=Campaign.Stage.REVIEW)
        .select_related("submission__campaign")
        .order_by("submission__campaign__year", "round", "pk")
    )
    return [
        Item(
            _("Review %(number)s of %(campaign)s, round %(round)s")
            % {
                "number": r.pk,
                "campaign": r.submission.campaign.title,
                "round": r.round,
            },
            reverse("cases:review", args=[r.pk]),
            tone="warning",
        )
        for r in due[:20]
    ] + [Item(_("All my reviews"), reverse("cases:review_list"))]


def register_panels() -> None:
    register(
        Panel(
            "cases.reviews",
            _("Case reviews to score"),
            capability="expert",
            items=reviews_due,
            order=10,
        )
    )
