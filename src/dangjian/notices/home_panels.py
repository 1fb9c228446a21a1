"""Notices on home pages: what the user has still to sign or answer (any role that receives
notices), and for whoever sends them, feedback waiting for review and notices whose deadline
passed with too few signed."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.access.home import Item, Panel, register
from dangjian.notices import queries

SHOWN = 5  # the nearest few by name; the count and the link lead to the rest


def to_do(request, today):
    user = request.user
    items = [
        Item(
            r.notice.title,
            reverse("notices:notice_detail", args=[r.notice_id]),
            due=timezone.localtime(r.notice.sign_deadline).date(),
            tone="warning",
            note=_("to sign"),
        )
        for r in queries.to_sign(user)[:SHOWN]
    ]
    feedback = queries.feedback_due(user).count()
    if feedback:
        items.append(Item(_("Tasks whose feedback is due"), reverse("notices:inbox"), feedback))
    return items


def sent(request, today):
    user = request.user
    items = []
    reviews = queries.reviews_due(user).count()
    if reviews:
        items.append(
            Item(_("Feedback waiting for your review"), reverse("notices:notice_list"), reviews)
        )
    for notice in queries.low_sign_rates(user)[:SHOWN]:
        items.append(
            Item(
                notice.title,
                reverse("notices:receipt_list", args=[notice.pk]),
                tone="danger",
                note=_("deadline passed with few signed"),
            )
        )
    return items


def register_panels():
    register(
        Panel(
            "notices.to_do",
            _("Notices"),
            capability="any_role",
            items=to_do,
            order=15,
            hide_when_empty=True,
        )
    )
    register(
        Panel(
            "notices.sent",
            _("Notices sent"),
            capability="keep_meetings",
            items=sent,
            order=16,
            hide_when_empty=True,
        )
    )
