from django.utils.functional import SimpleLazyObject

from dangjian.access import scope
from dangjian.access.models import Action


def capabilities(request):
    """``can.audit``, ``can.view_personal`` … for menus; evaluated only when a template asks."""

    def compute():
        user = getattr(request, "user", None)
        return {action: scope.can(user, action) for action in Action.values}

    return {"can": SimpleLazyObject(compute)}
