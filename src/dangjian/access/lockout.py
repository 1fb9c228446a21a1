"""Lockout after repeated sign-in failures, per account and per client address.

Counts come from SignInAttempt rows in a sliding window; a success does not erase earlier
failures of the window, so guessing between successes of another account is still counted.

Attempts made while an account or address is locked are recorded (``while_locked``) but not
counted, so a lock ends at most ``WINDOW`` after the failure that caused it, however many wrong
passwords keep arriving meanwhile: an attacker cannot keep a victim's account locked by a
trickle of guesses, only re-lock it with a fresh burst once the window has passed.

The check runs in the authentication backend (``access.backends.LockoutBackend``), so every
caller of ``django.contrib.auth.authenticate`` is covered; forms only explain a refusal.
"""

import datetime

from django.http import HttpRequest
from django.utils import timezone

from dangjian.access.models import SignInAttempt
from dangjian.env import envint

WINDOW = datetime.timedelta(minutes=envint("DANGJIAN_LOCKOUT_MINUTES", 15))
MAX_FAILURES_PER_ACCOUNT = envint("DANGJIAN_LOCKOUT_ACCOUNT_FAILURES", 5)
MAX_FAILURES_PER_ADDRESS = envint("DANGJIAN_LOCKOUT_ADDRESS_FAILURES", 20)


def _failures(**lookup: object) -> int:
    since = timezone.now() - WINDOW
    return SignInAttempt.objects.filter(
        at__gte=since, succeeded=False, while_locked=False, **lookup
    ).count()


def is_locked(username: str, ip: str | None) -> bool:
    username = (username or "").strip().lower()
    if _failures(username=username) >= MAX_FAILURES_PER_ACCOUNT:
        return True
    return bool(ip) and _failures(ip_address=ip) >= MAX_FAILURES_PER_ADDRESS


def record_attempt(
    username: str, ip: str | None, succeeded: bool, *, while_locked: bool = False
) -> None:
    SignInAttempt.objects.create(
        username=(username or "").strip().lower()[:150],
        ip_address=ip or None,
        succeeded=succeeded,
        while_locked=while_locked,
    )


# Set on the request by the backend when it refused a locked account or address, so the form
# can show the lockout message instead of "wrong password".
_REFUSED = "_dangjian_signin_locked"


def mark_refused(request: HttpRequest | None) -> None:
    if request is not None:
        setattr(request, _REFUSED, True)


def refused(request: HttpRequest | None) -> bool:
    return bool(getattr(request, _REFUSED, False))
