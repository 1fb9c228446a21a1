"""Inviting a party member to sign in (the secretary's side) and accepting (the member's)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, login, password_validation
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from dangjian.access import invitations, scope
from dangjian.access.models import Action
from dangjian.access.public import public
from dangjian.core.errors import WorkflowError
from dangjian.core.forms import StyledForm
from dangjian.core.qr import svg
from dangjian.party.models import PartyMember


@login_required
@require_POST
def member_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Make a one-time link for the member and show it (and its QR code) once."""
    member = scope.get(request.user, PartyMember, pk, Action.EDIT)
    if not invitations.may_invite(request.user, member):
        raise Http404
    if request.POST.get("confirm") != "yes":  # the button's own field: an empty POST does nothing
        return redirect("party:member_detail", pk=pk)
    try:
        invitation, token = invitations.invite(member, actor=request.user)
    except WorkflowError as exc:
        return render(
            request, "access/member_invite.html", {"member": member, "error": str(exc)}, status=409
        )
    url = request.build_absolute_uri(reverse("member_join", kwargs={"token": token}))
    return render(
        request,
        "access/member_invite.html",
        {
            "member": member,
            "invitation": invitation,
            "url": url,
            "qr": svg(url, title=_("Scan to create your sign-in")),
        },
    )


class JoinForm(StyledForm):
    username = forms.RegexField(
        label=gettext_lazy("user name"),
        max_length=30,
        regex=r"^[A-Za-z0-9_.-]{3,30}$",
        error_messages={
            "invalid": gettext_lazy(
                "Use 3 to 30 letters, digits, dots, dashes or underscores (no spaces)."
            )
        },
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password1 = forms.CharField(
        label=gettext_lazy("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=gettext_lazy("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, name: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.name = name

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        one, two = data.get("password1"), data.get("password2")
        if one and two and one != two:
            self.add_error("password2", _("The two passwords differ."))
        elif one and data.get("username"):
            # The project's validators (length, character classes, common and published
            # passwords, similar to the user name or the member's name).
            probe = get_user_model()(username=data["username"], first_name=self.name)
            try:
                password_validation.validate_password(one, probe)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


@public
@require_http_methods(["GET", "POST"])
def member_join(request: HttpRequest, token: str) -> HttpResponse:
    """The invited person chooses a user name and a password; the link then works no more."""
    try:
        invitation = invitations.open_invitation(token)
    except WorkflowError as exc:
        return render(request, "access/member_join.html", {"error": str(exc)}, status=410)
    name = invitation.member.name if invitation.member is not None else invitation.name
    form = JoinForm(request.POST or None, name=name)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitations.accept(
                token,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
            )
        except WorkflowError as exc:
            form.add_error(None, str(exc))
        else:
            login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
            return redirect("home")
    return render(
        request,
        "access/member_join.html",
        {"form": form, "name": name, "role": invitation.get_role_display()},
    )
