"""Sign-ins and sign-outs go into the audit trail (failures are in SignInAttempt)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from dangjian.core.audit import record_event


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    record_event(user, "account.signed_in", user)


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        record_event(user, "account.signed_out", user)
