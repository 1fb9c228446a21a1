from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from dangjian.access import lockout
from dangjian.core.http import client_ip


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("The user name or password is wrong. Both are case-sensitive."),
        "inactive": _("This account is disabled."),
        "locked": _(
            "Too many failed sign-ins. This account or address is locked for %(minutes)d minutes."
        ),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        ip = client_ip(self.request)
        if lockout.is_locked(username, ip):
            lockout.record_attempt(username, ip, succeeded=False)
            raise forms.ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"minutes": int(lockout.WINDOW.total_seconds() // 60)},
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            lockout.record_attempt(username, ip, succeeded=False)
            raise
        lockout.record_attempt(username, ip, succeeded=True)
        return cleaned


class TotpForm(forms.Form):
    code = forms.RegexField(
        label=_("6-digit code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Enter the 6 digits shown by your authenticator app.")},
    )


class ChangePasswordForm(PasswordChangeForm):
    """Asks for the current password too, so a session left open cannot change it."""
