"""Sign-ins and sign-outs go into the audit trail (failures are in SignInAttempt); every new
account starts with a password someone else chose, so it must be changed at first sign-in."""

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, User
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpRequest

from dangjian.core.audit import record_signin
from dangjian.core.events import AuditEvent


@receiver(user_logged_in)
def _signed_in(sender: object, request: HttpRequest, user: AbstractBaseUser, **kwargs: Any) -> None:
    record_signin(user, AuditEvent.ACCOUNT_SIGNED_IN)


@receiver(user_logged_out)
def _signed_out(
    sender: object, request: HttpRequest, user: AbstractBaseUser | None, **kwargs: Any
) -> None:
    if user is not None:
        record_signin(user, AuditEvent.ACCOUNT_SIGNED_OUT)


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def _new_account(
    sender: object, instance: User, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if created and not raw:
        from dangjian.access.models import UserSecurity

        UserSecurity.objects.get_or_create(user=instance, defaults={"must_change_password": True})
