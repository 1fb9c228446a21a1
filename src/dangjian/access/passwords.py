"""Password rules beyond Django's own: several character classes (等保 2.0), no published
password, and none of the user's last passwords."""

import re
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CLASSES = [
    re.compile(r"[a-z]"),
    re.compile(r"[A-Z]"),
    re.compile(r"[0-9]"),
    re.compile(r"[^a-zA-Z0-9]"),
]


class CharacterClassValidator:
    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: AbstractBaseUser | None = None) -> None:
        present = sum(1 for pattern in CLASSES if pattern.search(password))
        if present < self.min_classes:
            raise ValidationError(
                _(
                    "The password must mix at least %(count)d of: lower-case letters, upper-case "
                    "letters, digits and symbols."
                ),
                code="password_too_simple",
                params={"count": self.min_classes},
            )

    def get_help_text(self) -> str:
        return _(
            "Use at least %(count)d of: lower-case letters, upper-case letters, digits, symbols."
        ) % {"count": self.min_classes}


class PublishedPasswordValidator:
    """Refuses a password that has been published (the demo's sign-ins are printed in the README
    and on the demo's sign-in page): an account that "changes" to one of them is as open as
    before. Compared ignoring case and surrounding spaces. The list comes from settings, which
    take it from the demo's personas: access does not import the demo (a layer above it)."""

    def __init__(self, passwords: Iterable[str] = ()) -> None:
        self.published = {p.strip().casefold() for p in passwords}

    def validate(self, password: str, user: AbstractBaseUser | None = None) -> None:
        if password.strip().casefold() in self.published:
            raise ValidationError(
                _("This password has been published (it is a demo password): choose another."),
                code="password_published",
            )

    def get_help_text(self) -> str:
        return str(_("Published passwords, such as the demo's, are refused."))


class PasswordHistoryValidator:
    """Refuses the current password and the last ``PASSWORD_HISTORY_SIZE`` ones (their hashes are
    kept in ``access.PasswordHistory``): a forced or periodic change that goes back to an old
    password changes nothing. Every password set is recorded by ``password_changed``, which
    Django calls when a user with a new password is saved (the admin's and the forms' included).
    """

    def _size(self) -> int:
        return int(getattr(settings, "PASSWORD_HISTORY_SIZE", 5))

    def validate(self, password: str, user: AbstractBaseUser | None = None) -> None:
        if user is None or user.pk is None:
            return
        from dangjian.access.models import PasswordHistory

        stored = user.__class__._default_manager.filter(pk=user.pk).values_list(
            "password", flat=True
        )
        current = stored.first() or ""
        if current and check_password(password, current):
            raise ValidationError(
                _("The new password must differ from the current one."),
                code="password_unchanged",
            )
        recent = PasswordHistory.objects.filter(user_id=user.pk).values_list("password", flat=True)[
            : self._size()
        ]
        earlier = [encoded for encoded in recent if encoded != current]
        if any(check_password(password, encoded) for encoded in earlier):
            raise ValidationError(
                _("This password was used recently: choose one that differs from your last %(n)d."),
                code="password_reused",
                params={"n": self._size()},
            )

    def password_changed(self, password: str, user: AbstractBaseUser | None = None) -> None:
        if user is None or user.pk is None or not user.password:
            return
        from dangjian.access.models import PasswordHistory

        PasswordHistory.objects.create(user_id=user.pk, password=user.password)
        keep = PasswordHistory.objects.filter(user_id=user.pk).values_list("pk", flat=True)
        PasswordHistory.objects.filter(user_id=user.pk).exclude(
            pk__in=list(keep[: self._size()])
        ).delete()

    def get_help_text(self) -> str:
        return str(_("It must differ from your last %(n)d passwords.") % {"n": self._size()})
