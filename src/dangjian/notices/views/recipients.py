"""The recipient's side: the inbox of notices to sign, the notifications and the bell."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from dangjian.access import lists, scope
from dangjian.access.models import Action
from dangjian.core.filters import params
from dangjian.notices import queries, services
from dangjian.notices.access_rules import own_receipts
from dangjian.notices.filters import InboxFilter
from dangjian.notices.lists import INBOX, NOTIFICATIONS
from dangjian.notices.models import Notification

# -- the recipient's side and the bell -------------------------------------------------------


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    receipts = own_receipts(request.user).select_related("notice")
    filters = InboxFilter(params(request), receipts)
    if lists.wants_xlsx(request) and not filters.errors:
        if not scope.can(request.user, Action.EXPORT):
            raise Http404
        return INBOX.export(request, filters.qs, filters=filters.describe())
    return render(
        request,
        "notices/inbox.html",
        {
            **INBOX.context(request, filters.qs),
            "filters": filters.form,
            "to_sign": queries.to_sign(request.user).count(),
            "may_export": scope.can(request.user, Action.EXPORT),
        },
    )


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    mine = scope.visible(Notification, request.user)
    if lists.wants_xlsx(request):
        raise Http404  # one's own messages: nothing to export
    return render(
        request,
        "notices/notifications.html",
        {**NOTIFICATIONS.context(request, mine), "unseen": queries.unseen_count(request.user)},
    )


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    notification = scope.get(request.user, Notification, pk)
    services.mark_seen(notification)
    url = notification.url
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return redirect(url)
    return redirect("notices:notifications")


@require_POST
@login_required
def notifications_seen(request: HttpRequest) -> HttpResponse:
    if request.POST.get("confirm") == "yes":
        services.mark_all_seen(request.user)
    return redirect("notices:notifications")


@login_required
def bell(request: HttpRequest) -> HttpResponse:
    """The bell's count, fetched by htmx from the navigation bar (no page writes)."""
    return render(request, "notices/_bell.html", {"unseen": queries.unseen_count(request.user)})
