"""Create the demo's sign-in accounts with their role assignments."""

from typing import Any

from django.contrib.auth import get_user_model

from dangjian.access.models import RoleAssignment, UserSecurity
from dangjian.party.models import Instructor, PartyMember, PartyOrganization
from dangjian.registry.models import Federation, Organization

from .personas import PERSONAS
from .tianjin_data import FOUNDED, SECRETARY_BRANCH, SUPERVISOR


def create_personas(federation: Federation, must_change_password: bool = True):
    """The demo's accounts; their passwords are public, so outside demo mode each must be
    changed at first sign-in (access.middleware.ForcePasswordChangeMiddleware)."""
    User = get_user_model()
    # A persona's scope key (None: the role has no scope) → its role assignment's scope fields.
    scopes: dict[str | None, dict[str, Any]] = {
        "federation": {"federation": federation},
        "liaison_unit": {"organization": Organization.objects.get(name="天津市互联网协会")},
        "secretary_branch": {
            "party_organization": PartyOrganization.objects.get(name=SECRETARY_BRANCH)
        },
        "instructor": {"instructor": Instructor.objects.order_by("pk").first()},
        "authority": {"authority_name": SUPERVISOR},
        # A full member of the secretary's branch holding no post there.
        "member": {
            "member": PartyMember.objects.filter(
                relation_party_organization__name=SECRETARY_BRANCH,
                full_member_on__isnull=False,
                positions__isnull=True,
            )
            .order_by("pk")
            .first()
        },
    }
    for persona in PERSONAS:
        user = User.objects.create_user(
            persona["username"],
            password=persona["password"],
            is_staff=persona["role"] == "admin",
            is_superuser=persona["role"] == "admin",
        )
        user.first_name = str(persona["title"])
        user.save(update_fields=["first_name"])
        UserSecurity.objects.update_or_create(
            user=user, defaults={"must_change_password": must_change_password}
        )
        if persona["role"]:
            RoleAssignment.objects.create(
                user=user,
                role=persona["role"],
                valid_from=FOUNDED,
                **scopes.get(persona["scope"], {}),
            )
