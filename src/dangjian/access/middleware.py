from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

EXEMPT_PREFIXES = ("/static/", "/login/", "/logout/", "/account/password/")


class ForcePasswordChangeMiddleware:
    """Accounts created with a known password (the demo's, or an admin's initial one) must set
    their own before doing anything else — except in demo mode, where the passwords are public
    on purpose."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
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
