"""QR sign-in: the code on the meeting's page (refreshed by htmx) and the page a member's phone
opens from it."""

from __future__ import annotations

import datetime
import re

from django.contrib.auth.decorators import login_required
from django.core import signing
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dangjian.access import scope
from dangjian.access.decorators import requires
from dangjian.access.models import Action
from dangjian.core.errors import WorkflowError
from dangjian.core.qr import svg
from dangjian.orglife import services, signin
from dangjian.orglife.models import Attendance, Meeting
from dangjian.orglife.views.meetings import MEETING_QS, member_of

# The confirmation page carries a signed ticket (who, which meeting, which code, when seen):
# tapping "sign in" a little after the code rotated still counts the code as seen in time.
TICKET_SALT = "dangjian.orglife.sign_in_ticket"
TICKET_SECONDS = 120
TOKEN_SHAPE = re.compile(r"[0-9a-f]{24}")


@requires(Action.EDIT)
def meeting_qr(request, pk: int):
    """The current code (an htmx fragment, polled every 10 seconds by the meeting's page)."""
    meeting = scope.get(request.user, MEETING_QS, pk, Action.EDIT)
    now = timezone.now()
    token = signin.current_token(meeting, now)
    url = request.build_absolute_uri(
        reverse("orglife:meeting_sign_in", kwargs={"pk": meeting.pk, "token": token})
    )
    present = meeting.attendance.filter(
        status=Attendance.Status.PRESENT, method=Attendance.Method.QR
    ).count()
    window = signin.window(meeting)
    return render(
        request,
        "orglife/_qr.html",
        {
            "meeting": meeting,
            "qr": svg(url, title=_("Scan to sign in")),
            "url": url,
            "signed_in": present,
            "open": window is not None and window[0] <= now <= window[1],
            "window": window,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_sign_in(request, pk: int, token: str):
    """A member's phone after scanning: GET checks the code and asks to confirm, POST signs in
    (again and again, if the network dropped: the first sign-in stands)."""
    meeting = (
        scope.visible(Meeting, request.user)
        .select_related("party_organization__federation")
        .filter(pk=pk)
        .first()
    )
    member = member_of(request.user)
    now = timezone.now()
    context: dict[str, object] = {"meeting": meeting, "member": member}
    if meeting is None:
        # Not a meeting of the user's branch: whoever forwarded the code, it is not theirs.
        context["refusal"] = _(
            "You are not among the members expected at this meeting, so you cannot sign in. A "
            "forwarded code does not stand in for attending."
        )
        return render(request, "orglife/sign_in.html", context, status=403)
    if request.method == "GET":
        refusal = services.sign_in_refusal(meeting, member, token, now)
        if refusal:
            if TOKEN_SHAPE.fullmatch(token) and member is not None:
                # A real code, stale or forwarded, or outside the window: evidence, audited.
                services.record_refused_sign_in(meeting, refusal, actor=request.user)
            context["refusal"] = refusal
            return render(request, "orglife/sign_in.html", context, status=403)
        existing = meeting.attendance.filter(
            member=member, status=Attendance.Status.PRESENT
        ).first()
        context["existing"] = existing
        context["ticket"] = signing.dumps(
            {"m": meeting.pk, "u": request.user.pk, "t": token, "at": now.timestamp()},
            salt=TICKET_SALT,
        )
        return render(request, "orglife/sign_in.html", context)
    try:
        ticket = signing.loads(
            request.POST.get("ticket", ""), salt=TICKET_SALT, max_age=TICKET_SECONDS
        )
    except signing.BadSignature:
        context["refusal"] = _(
            "This sign-in page was open too long. Scan the code shown in the meeting room again."
        )
        return render(request, "orglife/sign_in.html", context, status=403)
    if (
        ticket.get("m") != meeting.pk
        or ticket.get("u") != request.user.pk
        or ticket.get("t") != token
    ):
        context["refusal"] = _("This sign-in page does not belong to you. Scan the code yourself.")
        return render(request, "orglife/sign_in.html", context, status=403)
    seen_at = datetime.datetime.fromtimestamp(ticket["at"], tz=datetime.UTC)
    try:
        attendance, created = services.sign_in(
            meeting, member, token, actor=request.user, now=now, seen_at=seen_at
        )
    except WorkflowError as exc:
        context["refusal"] = str(exc)
        return render(request, "orglife/sign_in.html", context, status=403)
    context.update({"done": attendance, "again": not created})
    return render(request, "orglife/sign_in.html", context)
