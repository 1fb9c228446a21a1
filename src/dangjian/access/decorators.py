"""View decorators of the one door."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from dangjian.access import scope

View = Callable[..., HttpResponse]


def requires(action: str) -> Callable[[View], View]:
    """Signed in, and allowed ``action`` somewhere; objects are still fetched through scope.

    A user without the right gets 404, as for an object outside their scope: a page the user
    cannot use does not exist for them (the same answer everywhere, so nothing is learnt)."""

    def decorator(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not scope.can(request.user, action):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
