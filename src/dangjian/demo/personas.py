"""Demo sign-ins, one per role, plus an outsider who must see nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Persona(TypedDict):
    username: str
    password: str
    title: StrOrPromise
    role: str | None  # an access.models.Role value; None: signed in with no role
    scope: str | None  # a key of setup_personas' scopes; None: the role needs none


# Passwords are public: demo data only.
PERSONAS: list[Persona] = [
    {
        "username": "admin",
        "password": "Dangjian-admin-2026",
        "title": _("system administrator"),
        "role": "admin",
        "scope": None,
    },
    {
        "username": "officer",
        "password": "Dangjian-officer-2026",
        "title": _("party-affairs officer of the federation"),
        "role": "federation_officer",
        "scope": "federation",
    },
    {
        "username": "liaison",
        "password": "Dangjian-liaison-2026",
        "title": _("liaison of the Tianjin Internet Association"),
        "role": "unit_liaison",
        "scope": "liaison_unit",
    },
    {
        "username": "secretary",
        "password": "Dangjian-secretary-2026",
        "title": _("secretary of a party branch"),
        "role": "branch_secretary",
        "scope": "secretary_branch",
    },
    {
        "username": "instructor",
        "password": "Dangjian-instructor-2026",
        "title": _("party-building instructor"),
        "role": "instructor",
        "scope": "instructor",
    },
    {
        "username": "authority",
        "password": "Dangjian-authority-2026",
        "title": _("supervising department (reports only)"),
        "role": "authority_viewer",
        "scope": "authority",
    },
    {
        "username": "auditor",
        "password": "Dangjian-auditor-2026",
        "title": _("audit administrator"),
        "role": "auditor",
        "scope": None,
    },
    {
        "username": "expert",
        "password": "Dangjian-expert-2026",
        "title": _("expert reviewer"),
        "role": "expert_reviewer",
        "scope": None,
    },
    {
        "username": "member",
        "password": "Dangjian-member-2026",
        "title": _("party member of a branch"),
        "role": "party_member",
        "scope": "member",
    },
    {
        "username": "outsider",
        "password": "Dangjian-outsider-2026",
        "title": _("signed-in user with no role"),
        "role": None,
        "scope": None,
    },
]
