"""Where signing in lands, per role: a small table each role's home page registers in (issue
16 makes a home page per role; until then the unit list is the default).

Pages are named by URL name only, so ``access`` (below the apps that own them) imports none.
"""

from __future__ import annotations

from dangjian.access import scope
from dangjian.access.models import Action, RoleAssignment

Role = RoleAssignment.Role

# role → URL name of its landing page, in priority order (the first role the user holds wins).
LANDING: dict[str, str] = {
    Role.BRANCH_SECRETARY: "orglife:workspace",
    Role.PARTY_MEMBER: "orglife:mine",
}
# Roles whose work is the whole ledger: they land on the unit list, whatever else they hold.
LEDGER_ROLES = (Role.ADMIN, Role.FEDERATION_OFFICER, Role.UNIT_LIAISON, Role.INSTRUCTOR)


def landing(user: scope.AnyUser) -> str | None:
    """The URL name of the user's home page, or None for the default."""
    held = {g.role for g in scope.assignments(user, Action.VIEW)}
    if held & set(LEDGER_ROLES):
        return None
    for role, url_name in LANDING.items():
        if role in held:
            return url_name
    return None


def sees_ledger(user: scope.AnyUser) -> bool:
    """Whether the ledger menus (units, party organizations, findings) are the user's: any
    role that reads records other than a party member's own."""
    return any(g.role != Role.PARTY_MEMBER for g in scope.assignments(user, Action.VIEW))
