"""What every workflow service shares: the status history, and turning a fact service's
ValidationError into the workflow's error (the errors and locking are ``core``'s)."""

from __future__ import annotations

import contextlib

from django.core.exceptions import ValidationError

from dangjian.applications.models import Application, StatusChange
from dangjian.core.audit import actor_fields
from dangjian.core.errors import WorkflowError


def _history(obj, old: str, new: str, actor, reason: str = "") -> StatusChange:
    field = "application" if isinstance(obj, Application) else "formation_case"
    return StatusChange.objects.create(
        **{field: obj},
        from_status=old,
        to_status=new,
        **actor_fields(actor),
        reason=reason,
    )


@contextlib.contextmanager
def fact_errors():
    """A fact service's refusal (ValidationError) reaches the views as a WorkflowError."""
    try:
        yield
    except ValidationError as exc:
        raise WorkflowError("；".join(exc.messages)) from exc
