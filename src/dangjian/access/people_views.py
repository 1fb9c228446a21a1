"""People and roles on pages (issue 16): the officer's list of accounts, inviting anyone with a
role by a one-time link or QR code, granting and ending roles, deactivating accounts. Every
change goes through ``access.services`` / ``access.invitations`` (audited) and is shown on the
person's page in words."""

from __future__ import annotations

import contextlib
import datetime
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from dangjian.access import invitations, people, scope, services
from dangjian.access.models import RoleAssignment, RoleInvitation
from dangjian.access.people_filters import PeopleFilter
from dangjian.access.people_lists import PEOPLE, role_words
from dangjian.core.audit import actor_words
from dangjian.core.errors import WorkflowError
from dangjian.core.filters import params
from dangjian.core.forms import StyledForm
from dangjian.core.models import AuditLog
from dangjian.core.qr import svg

Role = RoleAssignment.Role


def _managed(request: HttpRequest) -> Any:
    if not people.manages_people(request.user):
        raise Http404
    return people.people(request.user)


def _grants_prefetch() -> Prefetch[Any]:
    return Prefetch(
        "role_assignments",
        queryset=RoleAssignment.objects.select_related(
            "federation", "organization", "party_organization", "instructor", "member"
        ).order_by("valid_from", "pk"),
        to_attr="grants",
    )


@login_required
def people_list(request: HttpRequest) -> HttpResponse:
    qs = _managed(request).prefetch_related(_grants_prefetch())
    filters = PeopleFilter(params(request), qs)
    if request.GET.get("export") == "xlsx":
        return PEOPLE.export(request, filters.qs, filters=filters.describe())
    pending = (
        scope.visible(RoleInvitation, request.user)
        .filter(used_at=None, revoked_at=None, expires_at__gt=timezone.now())
        .select_related("organization", "party_organization", "federation", "instructor", "member")
        .order_by("-created_at")[:50]
    )
    return render(
        request,
        "access/people_list.html",
        {
            **PEOPLE.context(request, filters.qs),
            "filters": filters.form,
            "pending": pending,
        },
    )


class RoleForm(StyledForm):
    role = forms.ChoiceField(label=gettext_lazy("role"))
    where = forms.CharField(
        label=gettext_lazy("scope"),
        required=False,
        max_length=200,
        help_text=gettext_lazy(
            "The unit (name or credit code), party organization, instructor, member (name or "
            "ID number), federation or authority the role is over; empty for an expert."
        ),
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        labels = dict(Role.choices)
        choices = [(r, labels[r]) for r in people.grantable_roles(actor)]
        self.fields["role"].choices = choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("role"):
            try:
                data["scope"] = people.resolve_scope(
                    self.actor, data["role"], data.get("where", "")
                )
            except WorkflowError as exc:
                self.add_error("where", str(exc))
        return data


class InviteForm(RoleForm):
    name = forms.CharField(label=gettext_lazy("name of the person"), max_length=150)
    field_order = ["name", "role", "where"]


class GrantForm(RoleForm):
    valid_from = forms.DateField(label=gettext_lazy("from"), initial=timezone.localdate)


@login_required
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest) -> HttpResponse:
    _managed(request)
    form = InviteForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation, token = invitations.invite_role(
                data["role"], name=data["name"], actor=request.user, **data["scope"]
            )
        except WorkflowError as exc:
            form.add_error(None, str(exc))
        else:
            url = request.build_absolute_uri(reverse("member_join", kwargs={"token": token}))
            return render(
                request,
                "access/people_invited.html",
                {
                    "invitation": invitation,
                    "role": role_words(invitation),  # type: ignore[arg-type]
                    "url": url,
                    "qr": svg(url, title=_("Scan to create your sign-in")),
                },
            )
    return render(request, "access/people_invite.html", {"form": form})


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    _managed(request)
    invitation = scope.get(request.user, RoleInvitation, pk)
    with contextlib.suppress(WorkflowError):
        invitations.revoke(invitation, actor=request.user)
    return redirect("people:list")


def _person(request: HttpRequest, pk: int) -> User:
    try:
        found: User = _managed(request).get(pk=pk)
        return found
    except (get_user_model().DoesNotExist, ValueError):
        raise Http404 from None


HISTORY_SIZE = 100


def history(user: User) -> list[dict[str, Any]]:
    """What happened to the account and its roles, newest first, in words."""
    grants = list(RoleAssignment.objects.filter(user=user).values_list("pk", flat=True))
    invited = list(RoleInvitation.objects.filter(user=user).values_list("pk", flat=True))
    logs = AuditLog.objects.filter(
        Q(object_type="auth.user", object_id=str(user.pk))
        | Q(object_type="access.roleassignment", object_id__in=[str(g) for g in grants])
        | Q(object_type="access.roleinvitation", object_id__in=[str(i) for i in invited])
    ).order_by("-at", "-id")[:HISTORY_SIZE]
    return [{"at": log.at, "who": actor_words(log), "what": _history_words(log)} for log in logs]


def _history_words(log: AuditLog) -> str:
    if log.object_type == "access.roleassignment":
        role = log.object_repr.split(" ", 1)[-1]
        if log.action == AuditLog.Action.CREATE:
            return _("role given: %(role)s") % {"role": role}
        ends = (log.changes.get("fields") or {}).get("valid_to")
        if ends and ends[1]:
            return _("role ended: %(role)s, last day %(day)s") % {"role": role, "day": ends[1]}
        return _("role changed: %(role)s") % {"role": role}
    return log.event_label or str(log.get_action_display())


@login_required
@require_http_methods(["GET", "POST"])
def person(request: HttpRequest, pk: int) -> HttpResponse:
    user = _person(request, pk)
    form = GrantForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            where = people.check_grant(request.user, data["role"], data["scope"])
            services.grant_role(
                user, data["role"], actor=request.user, valid_from=data["valid_from"], **where
            )
        except (WorkflowError, ValidationError) as exc:
            form.add_error(None, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            return redirect("people:detail", pk=user.pk)
    today = timezone.localdate()
    managed = set(
        people.role_assignments(request.user).filter(user=user).values_list("pk", flat=True)
    )
    grants = (
        RoleAssignment.objects.filter(user=user)
        .select_related("federation", "organization", "party_organization", "instructor", "member")
        .order_by("-valid_from", "-pk")
    )
    rows = [
        {
            "grant": g,
            "words": role_words(g),
            "current": g.valid_from <= today and (g.valid_to is None or g.valid_to >= today),
            "may_end": g.pk in managed and (g.valid_to is None or g.valid_to >= today),
        }
        for g in grants
    ]
    return render(
        request,
        "access/person.html",
        {
            "person": user,
            "rows": rows,
            "form": form,
            "history": history(user),
            "today": today,
            "is_self": user.pk == request.user.pk,
        },
    )


@login_required
@require_POST
def role_end(request: HttpRequest, pk: int, grant_pk: int) -> HttpResponse:
    user = _person(request, pk)
    grant = scope.get(
        request.user, people.role_assignments(request.user).filter(user=user), grant_pk
    )
    try:
        last = datetime.date.fromisoformat(request.POST.get("valid_to", ""))
    except ValueError:
        last = timezone.localdate()
    if last < grant.valid_from:
        last = grant.valid_from
    services.end_role(grant, last, actor=request.user)
    return redirect("people:detail", pk=user.pk)


@login_required
@require_POST
def deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    user = _person(request, pk)
    if user.pk == request.user.pk:
        raise Http404  # not oneself: someone else must be able to undo it
    if request.POST.get("confirm") == "deactivate":
        services.deactivate_user(user, actor=request.user)
    elif request.POST.get("confirm") == "reactivate":
        services.reactivate_user(user, actor=request.user)
    return redirect("people:detail", pk=user.pk)
