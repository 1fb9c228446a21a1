"""Authentication with the lockout in it, so every way of presenting a password is covered.

``django.contrib.auth.authenticate`` calls this backend whoever asks — the sign-in form, the
admin (routed to the same form), a future API — so a locked account or address is refused there,
not in one form. A refusal raises ``PermissionDenied``, which makes ``authenticate`` stop and
return None without asking another backend; the request is marked (``lockout.refused``) so a
form can say why in Chinese.
"""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from dangjian.access import lockout
from dangjian.core.http import client_ip


class LockoutBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        ip = client_ip(request)
        if lockout.is_locked(username, ip):
            # Recorded for the audit, not counted: a trickle cannot keep the lock going.
            lockout.record_attempt(username, ip, succeeded=False, while_locked=True)
            lockout.mark_refused(request)
            raise PermissionDenied
        user = super().authenticate(request, username=username, password=password, **kwargs)
        lockout.record_attempt(username, ip, succeeded=user is not None)
        return user
