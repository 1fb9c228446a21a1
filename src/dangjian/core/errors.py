"""The errors every app's services raise for the user to read (pages show ``str(exc)``)."""

from __future__ import annotations

from django.utils.translation import gettext as _


class WorkflowError(Exception):
    """A business rule refused the action; the message says why, in the user's language."""


class Conflict(WorkflowError):
    """The record changed after the user read it (optimistic locking): nothing was saved."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or _(
                "Conflict: someone changed this record after you opened it. Your changes were "
                "not saved; reload the page to see the current version."
            )
        )
