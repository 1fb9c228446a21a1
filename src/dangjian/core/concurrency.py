"""Optimistic locking: one claim function for every versioned record (``core.models.Versioned``).

A page sends back the version it was rendered with; ``claim`` takes the next version in one
conditional UPDATE, so of two concurrent writers exactly one wins, on SQLite and PostgreSQL,
and the other gets ``core.errors.Conflict`` naming who changed the record and when.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.audit import actor_words
from dangjian.core.errors import Conflict
from dangjian.core.models import AuditLog

M = TypeVar("M", bound=models.Model)


def _conflict(model: type[models.Model], pk: Any) -> Conflict:
    last = (
        AuditLog.objects.filter(object_type=model._meta.label_lower, object_id=str(pk))
        .order_by("-at", "-id")
        .first()
    )
    if last is None:
        return Conflict()
    return Conflict(
        _(
            "Conflict: %(who)s changed this record at %(when)s, after you opened it. Your "
            "changes were not saved; reload the page to see the current version."
        )
        % {"who": actor_words(last), "when": timezone.localtime(last.at).strftime("%Y-%m-%d %H:%M")}
    )


def claim(
    model_or_qs: type[M] | models.QuerySet[M], pk: Any, version: int | str | None, **changes: Any
) -> M:
    """Take the next version of row ``pk`` and return it locked, or raise ``Conflict``.

    ``version`` is the one the user read and is required: a missing or malformed version is a
    conflict, never a silent overwrite. ``changes`` are written in the same UPDATE. Call it
    inside ``transaction.atomic`` (the row stays locked until the transaction ends).
    """
    qs = (
        model_or_qs
        if isinstance(model_or_qs, models.QuerySet)
        else model_or_qs._default_manager.all()
    )
    try:
        expected = int(version)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        expected = -1
    if not qs.filter(pk=pk, version=expected).update(version=F("version") + 1, **changes):
        raise _conflict(qs.model, pk)
    return qs.select_for_update().get(pk=pk)
