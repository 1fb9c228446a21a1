"""Password complexity as 等保 2.0 asks: several character classes, not only length."""

import re
from collections.abc import Iterable

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
