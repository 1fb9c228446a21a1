from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from dangjian.access import lockout


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("The user name or password is wrong. Both are case-sensitive."),
        "inactive": _("This account is disabled."),
        "locked": _(
            "Too many failed sign-ins. This account or address is locked for %(minutes)d minutes."
        ),
    }

    def clean(self) -> dict[str, Any]:
        # The lockout lives in the authentication backend (access.backends.LockoutBackend),
        # which counts this attempt too; the form only says why a locked sign-in was refused.
        try:
            return super().clean()
        except forms.ValidationError:
            if lockout.refused(self.request):
                raise forms.ValidationError(
                    self.error_messages["locked"],
                    code="locked",
                    params={"minutes": int(lockout.WINDOW.total_seconds() // 60)},
                ) from None
            raise


def _code_field() -> forms.RegexField:
    return forms.RegexField(
        label=_("6-digit code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Enter the 6 digits shown by your authenticator app.")},
    )


class TotpForm(forms.Form):
    code = _code_field()


class ChangePasswordForm(PasswordChangeForm):
    """Asks for the current password too, so a session left open cannot change it. The new one
    must differ from it and from the last ones, and may not be a published demo password: the
    password validators say so (settings.AUTH_PASSWORD_VALIDATORS, access.passwords)."""


class DisableTotpForm(forms.Form):
    """Switching the second factor off asks for what signing in asks: the password and a code."""

    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = _code_field()
