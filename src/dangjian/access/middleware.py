from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

EXEMPT_PREFIXES = ("/static/", "/login/", "/logout/", "/account/password/")

# Session key the project's sign-in sets once the TOTP code is right (holds the user's pk).
SECOND_FACTOR_PASSED = "dangjian_second_factor_passed"


def second_factor_missing(request: HttpRequest) -> bool:
    """Whether the signed-in user has the second factor on but this session never passed it
    (a session made by any sign-in other than the project's, e.g. a password-only one)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    security = getattr(user, "security", None)
    if security is None or not security.totp_enabled:
        return False
    return bool(request.session.get(SECOND_FACTOR_PASSED) != user.pk)


class ForcePasswordChangeMiddleware:
    """Two checks on every signed-in request.

    A session of an account with the second factor on that did not pass it is signed out:
    however it was made, it does not open any page (demo mode included).

    Accounts created with a known password (the demo's, or an admin's initial one) must set
    their own before doing anything else — except in demo mode, where the passwords are public
    on purpose."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if second_factor_missing(request):
            logout(request)
            if not request.path.startswith(EXEMPT_PREFIXES):
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse(settings.LOGIN_URL)}?{query}")
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not settings.DEMO_MODE
            and not request.path.startswith(EXEMPT_PREFIXES)
        ):
            security = getattr(user, "security", None)
            if security is not None and security.must_change_password:
                return redirect(reverse("password_change"))
        return self.get_response(request)
