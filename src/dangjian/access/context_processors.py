from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from dangjian.access import scope
from dangjian.access.home import sees_ledger
from dangjian.access.models import Action

EXTRA = ("ledger", "keep_meetings", "member", "dashboard")


def capabilities(request: HttpRequest) -> dict[str, Any]:
    """``can.audit``, ``can.view_personal`` … for menus; evaluated only when a template asks."""

    def compute() -> dict[str, bool]:
        user = getattr(request, "user", None)
        if user is None:  # a request the authentication middleware did not see: no rights
            return dict.fromkeys([*Action.values, *EXTRA], False)
        can = {action: scope.can(user, action) for action in Action.values}
        # The ledger's menus are not a signed-in party member's (they would open empty lists).
        can["ledger"] = sees_ledger(user)
        # Organizational life: who keeps a party organization's meetings, who is a member.
        can["keep_meetings"] = any(
            g.role in scope.MEETING_WRITERS for g in scope.assignments(user, Action.EDIT)
        )
        can["member"] = bool(scope.own_member_ids(user))
        # The dashboard is a federation's: its officers' (and those above), the administrator's.
        can["dashboard"] = scope.federations(user).exists()
        return can

    return {"can": SimpleLazyObject(compute)}
