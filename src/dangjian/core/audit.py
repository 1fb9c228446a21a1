"""Writing the audit trail: field-level changes, business events and sensitive reads.

Services call ``snapshot`` before a change and ``record_change`` after it; the request id and
client address come from the middleware through a context variable, so one bulk import shares
one request id.
"""

from __future__ import annotations

import contextvars
import datetime
import decimal
import uuid

from django.db import models
from django.db.models.fields.files import FieldFile

from dangjian.core.masking import mask_id_number, mask_phone
from dangjian.core.models import AuditLog

request_context: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "audit_request", default=None
)

# Field names whose values are personal information: the log keeps them masked.
MASKERS = {"id_number": mask_id_number, "phone": mask_phone, "contact_phone": mask_phone}
SKIPPED = {"id_number_hash", "updated_at", "created_at"}


def new_request_id() -> str:
    return str(uuid.uuid4())


def _plain(value):
    if isinstance(value, datetime.date | datetime.datetime | decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):
        return value.name
    return value


def snapshot(obj: models.Model) -> dict:
    """The object's concrete field values, personal fields masked."""
    data = {}
    for field in obj._meta.concrete_fields:
        if field.name in SKIPPED:
            continue
        value = _plain(getattr(obj, field.attname))
        if field.name in MASKERS and value:
            value = MASKERS[field.name](str(value))
        data[field.name] = value
    return data


def diff(before: dict, after: dict) -> dict:
    return {
        name: [before.get(name), after.get(name)]
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }


def _actor_fields(actor) -> dict:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor": None, "actor_name": "system" if actor is None else "anonymous"}
    return {"actor": actor, "actor_name": actor.get_username()}


def _context() -> dict:
    ctx = request_context.get() or {}
    return {"request_id": ctx.get("request_id", ""), "ip_address": ctx.get("ip")}


def record_change(actor, obj: models.Model, before: dict | None, *, deleted: bool = False, note=""):
    """Record a create (before is None), an update, or a delete (deleted=True)."""
    if deleted:
        action, changes = AuditLog.Action.DELETE, {"before": before or snapshot(obj)}
    elif before is None:
        action, changes = AuditLog.Action.CREATE, {"after": snapshot(obj)}
    else:
        changed = diff(before, snapshot(obj))
        if not changed:
            return None
        action, changes = AuditLog.Action.UPDATE, {"fields": changed}
    return AuditLog.objects.create(
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes=changes,
        note=note,
        **_actor_fields(actor),
        **_context(),
    )


def record_event(actor, event_type: str, obj: models.Model | None = None, note="", **data):
    """A typed business event ("application.approved", "branch.formed", "finding.dismissed")."""
    return AuditLog.objects.create(
        action=AuditLog.Action.EVENT,
        event_type=event_type,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        changes=data,
        note=note,
        **_actor_fields(actor),
        **_context(),
    )


def record_read(actor, what: str, obj: models.Model | None = None, note="", **data):
    """A sensitive read: an unmasked ID number, an export of personal data, a file download."""
    return AuditLog.objects.create(
        action=AuditLog.Action.READ,
        event_type=what,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        changes=data,
        note=note,
        **_actor_fields(actor),
        **_context(),
    )


def record_signin(user, what: str):
    """Sign-in and sign-out, under their own action so the trail can be filtered by them."""
    return AuditLog.objects.create(
        action=AuditLog.Action.SIGNIN,
        event_type=what,
        object_type=user._meta.label_lower,
        object_id=str(user.pk),
        object_repr=str(user)[:200],
        **_actor_fields(user),
        **_context(),
    )
