"""The people list's columns (the officer's accounts and their roles), page and export."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.access.listspec import ListSpec, column
from dangjian.access.models import RoleAssignment


def role_words(grant: RoleAssignment) -> str:
    """A role and whose it is, in words: 党组织书记（某某党支部）."""
    where: Any = {
        "federation": grant.federation,
        "organization": grant.organization,
        "party_organization": grant.party_organization,
        "instructor": grant.instructor,
        "authority_name": grant.authority_name,
        "member": grant.member.name if grant.member_id and grant.member else "",
    }.get(RoleAssignment.SCOPE_FIELD.get(grant.role) or "", "")
    role = str(grant.get_role_display())
    return f"{role}（{where}）" if where else role


def _current_roles(user: User) -> str:
    today = timezone.localdate()
    grants = [
        g
        for g in getattr(user, "grants", [])
        if g.valid_from <= today and (g.valid_to is None or g.valid_to >= today)
    ]
    return "；".join(role_words(g) for g in grants)


PEOPLE = ListSpec(
    "people:list",
    title=_("People and roles"),
    key="username",
    table_id="people",
    columns=[
        column(
            _("user name"),
            lambda u: u.username,
            16,
            link=lambda u: reverse("people:detail", args=[u.pk]),
        ),
        column(_("full name"), lambda u: u.first_name, 16),
        column(_("current roles"), _current_roles, 48),
        column(
            _("account"),
            lambda u: _("active") if u.is_active else _("deactivated"),
            10,
            css="text-nowrap",
        ),
        column(
            _("last signed in"),
            lambda u: f"{timezone.localtime(u.last_login):%Y-%m-%d %H:%M}" if u.last_login else "",
            16,
        ),
    ],
)
