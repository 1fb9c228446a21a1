"""What every workflow service shares: the errors and optimistic locking of ``core`` (re-exported
here for the views), the status history, and turning a fact service's ValidationError into the workflow's error."""

from __future__ import annotations

import contextlib

from django.core.exceptions import ValidationError

from dangjian.applications.models import Application, StatusChange
from dangjian.core.errors import WorkflowError


def _actor_name(actor) -> str:
    if actor is None:
        return "system"
    if not getattr(actor, "is_authenticated", False):
        return "anonymous"
    return actor.get_username()


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


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
