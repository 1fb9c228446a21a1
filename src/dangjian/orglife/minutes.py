"""A meeting's minutes: rich text as typed, bounded and cleaned (core.richtext).

Minutes are longer than the free text of other forms (core.validators.TEXT_MAX_LENGTH): a
long meeting's record runs to tens of thousands of characters. Beyond ``MAX_CHARS`` the text
is refused with the reason, never cut: a megabyte pasted by mistake (or by a script) is not a
record; long material goes in as an attachment.
"""

from __future__ import annotations

import nh3
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dangjian.core.richtext import ALLOWED_TAGS, TAG

MAX_CHARS = 100_000


def check_length(raw: str) -> None:
    if len(raw or "") > MAX_CHARS:
        raise ValidationError(
            _(
                "The minutes are too long (%(length)s characters); at most %(max)s characters "
                "are accepted. Shorten them, or upload the full text as a PDF attachment."
            )
            % {"length": f"{len(raw):,}", "max": f"{MAX_CHARS:,}"},
            code="minutes_too_long",
        )


def clean_minutes(raw: str) -> str:
    """The minutes to store: plain text as typed; HTML reduced to the harmless tags (no
    attributes, no scripts). Shown through ``core.richtext.sanitise`` all the same."""
    raw = (raw or "").strip()
    check_length(raw)
    if TAG.search(raw):
        return nh3.clean(raw, tags=ALLOWED_TAGS, attributes={})
    return raw
