from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from dangjian.access import capabilities as caps


def capabilities(request: HttpRequest) -> dict[str, Any]:
    """``can.audit``, ``can.keep_meetings`` … (``access.capabilities``) for menus; evaluated only
    when a template asks."""

    def compute() -> dict[str, bool]:
        user = getattr(request, "user", None)
        if user is None:  # a request the authentication middleware did not see: no rights
            return dict.fromkeys(caps.names(), False)
        return caps.all_for(user)

    return {"can": SimpleLazyObject(compute)}
