"""What every workflow service shares: its error types, optimistic locking (``claim``), the
status history, and turning a fact service's ValidationError into the workflow's error."""

from __future__ import annotations

import contextlib

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.applications.models import Application, StatusChange
from dangjian.core.models import AuditLog


class WorkflowError(Exception):
    """A step the current state does not allow; ``str(exc)`` is the Chinese message."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return str(self.message)


class Conflict(WorkflowError):
    """Someone else saved the object after the user opened it (optimistic locking)."""


def _actor_name(actor) -> str:
    if actor is None:
        return "system"
    if not getattr(actor, "is_authenticated", False):
        return "anonymous"
    return actor.get_username()


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def claim(model, pk: int, version) -> object:
    """Take the next version of a row, or raise Conflict if it moved since ``version`` was read.

    One conditional UPDATE, so two concurrent writers cannot both win on SQLite or PostgreSQL.
    """
    try:
        version = int(version)
    except (TypeError, ValueError):
        version = -1
    if not model.objects.filter(pk=pk, version=version).update(version=F("version") + 1):
        last = (
            AuditLog.objects.filter(object_type=model._meta.label_lower, object_id=str(pk))
            .order_by("-at", "-id")
            .first()
        )
        if last:
            message = _(
                "Conflict: %(who)s changed this record at %(when)s, after you opened it. Your "
                "changes were not saved; reload the page to see the current version."
            ) % {
                "who": last.actor_name,
                "when": timezone.localtime(last.at).strftime("%Y-%m-%d %H:%M"),
            }
        else:
            message = _(
                "Conflict: someone changed this record after you opened it. Your changes were "
                "not saved; reload the page to see the current version."
            )
        raise Conflict(message)
    return model.objects.select_for_update().get(pk=pk)


def _history(obj, old: str, new: str, actor, reason: str = "") -> StatusChange:
    field = "application" if isinstance(obj, Application) else "formation_case"
    return StatusChange.objects.create(
        **{field: obj},
        from_status=old,
        to_status=new,
        actor=_user(actor),
        actor_name=_actor_name(actor),
        reason=reason,
    )


@contextlib.contextmanager
def fact_errors():
    """A fact service's refusal (ValidationError) reaches the views as a WorkflowError."""
    try:
        yield
    except ValidationError as exc:
        raise WorkflowError("；".join(exc.messages)) from exc
