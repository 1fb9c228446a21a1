from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from dangjian.access import scope
from dangjian.access.models import Action


def capabilities(request: HttpRequest) -> dict[str, Any]:
    """``can.audit``, ``can.view_personal`` … for menus; evaluated only when a template asks."""

    def compute() -> dict[str, bool]:
        user = getattr(request, "user", None)
        if user is None:  # a request the authentication middleware did not see: no rights
            return dict.fromkeys(Action.values, False)
        return {action: scope.can(user, action) for action in Action.values}

    return {"can": SimpleLazyObject(compute)}
