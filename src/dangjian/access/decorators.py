"""View decorators of the one door."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404

from dangjian.access import scope


def requires(action):
    """Signed in, and allowed ``action`` somewhere; objects are still fetched through scope.

    A user without the right gets 404, as for an object outside their scope: a page the user
    cannot use does not exist for them (the same answer everywhere, so nothing is learnt)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not scope.can(request.user, action):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
