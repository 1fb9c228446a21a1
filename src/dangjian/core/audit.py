"""Writing the audit trail: field-level changes, business events and sensitive reads.

Services call ``snapshot`` before a change and ``record_change`` after it (``core.audit_bulk``
records many at once, for bulk writes). The request id and client address come from the
middleware through a context variable; a background task re-enters the request id of the action
that queued it with ``context(request_id=...)``, so one queued import still shares one request
id.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import decimal
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext_lazy as _

from dangjian.core import personal
from dangjian.core.events import AuditEvent, checked
from dangjian.core.models import AuditLog

__all__ = [
    "AuditEvent",
    "actor_words",
    "context",
    "current_request_id",
    "diff",
    "new_request_id",
    "record_change",
    "record_event",
    "record_read",
    "record_rows",
    "record_signin",
    "snapshot",
]

request_context: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "audit_request", default=None
)

# Personal values are kept masked: which fields, and how, is core.personal's registry.
# Derived values are not the trail's: a meeting's stored minutes signature, digest and length
# follow from its minutes, which the trail keeps.
SKIPPED = {
    "id_number_hash",
    "id_suffix_hash",
    "updated_at",
    "created_at",
    "minutes_chars",
    "minutes_signature",
    "minutes_digest",
}


def new_request_id() -> str:
    return str(uuid.uuid4())


@contextlib.contextmanager
def context(*, request_id: str | None = None, ip: str | None = None) -> Iterator[str]:
    """Audit rows written inside carry this request id (a fresh one when empty) and address.

    The middleware wraps every request in it; a background task wraps its work in it with the
    request id its caller passed along (``current_request_id()`` at enqueue time).
    """
    request_id = request_id or new_request_id()
    token = request_context.set({"request_id": request_id, "ip": ip})
    try:
        yield request_id
    finally:
        request_context.reset(token)


def current_request_id() -> str:
    """The request id audit rows get now: pass it to a task so its rows share it."""
    ctx = request_context.get() or {}
    return str(ctx.get("request_id", ""))


def current_ip() -> str | None:
    """The client address audit rows get now (a task that acts for a click may pass it on)."""
    ctx = request_context.get() or {}
    return ctx.get("ip")


def enqueue_on_commit(task: Any, *args: Any, noted: Callable[[str], object] | None = None) -> None:
    """Put ``task`` on the queue with ``args`` and, last, the request id of the action that
    queued it — once the caller's transaction has committed, since a worker must find what
    it is given. ``noted(task id)`` keeps the id where the caller wants it."""
    request_id = current_request_id()

    def enqueue() -> None:
        result = task.enqueue(*args, request_id)
        if noted is not None:
            noted(str(result.id))

    transaction.on_commit(enqueue)


def plain(value: Any) -> Any:
    if isinstance(
        value, datetime.date | datetime.datetime | datetime.time | decimal.Decimal | uuid.UUID
    ):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):
        return value.name
    return value


# Types plain leaves as they are (None: nothing to do) or turns into text.
PLAIN_BY_TYPE: dict[type, Any] = {
    str: None,
    int: None,
    bool: None,
    float: None,
    type(None): None,
    dict: None,
    datetime.date: str,
    datetime.datetime: str,
    decimal.Decimal: str,
    uuid.UUID: str,
}


def snapshot(obj: models.Model, *, m2m: bool = True) -> dict[str, Any]:
    """The object's concrete field values, personal fields masked, and its many-to-many links.

    Masked fields are those ``core.personal.FIELDS`` lists for the model (ID numbers, phones,
    secrets); names stay readable, as the trail must say whom a change was about.

    Links are the sorted primary keys of each many-to-many field (one query per field, unless
    prefetched); ``m2m=False`` leaves them out for bulk paths that never change links.
    """
    data: dict[str, Any] = {}
    maskers = personal.maskers(obj._meta.label_lower)
    by_type = PLAIN_BY_TYPE
    for field in obj._meta.concrete_fields:
        if field.name in SKIPPED:
            continue
        value = getattr(obj, field.attname)
        # The common types through one lookup (a bulk update snapshots each object twice).
        convert = by_type.get(value.__class__, plain)
        if convert is not None:
            value = convert(value)
        if field.name in maskers and value:
            value = maskers[field.name](str(value))
        data[field.name] = value
    if m2m and obj.pk is not None:
        prefetched = getattr(obj, "_prefetched_objects_cache", {})
        for m2m_field in obj._meta.many_to_many:
            name = m2m_field.name
            if name in prefetched:
                pks = [o.pk for o in prefetched[name]]
            else:
                pks = list(getattr(obj, name).values_list("pk", flat=True))
            data[name] = sorted(pks)
    return data


def _m2m_names(obj: models.Model) -> set[str]:
    return {f.name for f in obj._meta.many_to_many}


def after_snapshot(obj: models.Model, before: dict[str, Any]) -> dict[str, Any]:
    """Snapshot the object the way ``before`` was taken (with links only if it has them)."""
    names = _m2m_names(obj)
    return snapshot(obj, m2m=bool(names) and bool(names & before.keys()))


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        name: [before.get(name), after.get(name)]
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }


def acting_user(actor: Any) -> Any:
    """The actor as the user to store in a ``recorded_by`` / ``decided_by`` field: ``None`` for
    the system (a command, a task) and for an anonymous visitor (a public form)."""
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def actor_fields(actor: Any) -> dict[str, Any]:
    """``actor`` and ``actor_name`` of a record of who did something (the name is copied, so the
    record outlives the user)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor": None, "actor_name": "system" if actor is None else "anonymous"}
    return {"actor": actor, "actor_name": actor.get_username()}


def actor_words(log: AuditLog) -> str:
    """Who did it, as people read it: the name copied on the row, else 系统 for the system (a
    command, a task, the rules engine) and 访客 for an anonymous visitor (a public form)."""
    if log.actor_id is not None or log.actor_name not in ("system", "anonymous"):
        return log.actor_name
    return str(_("the system") if log.actor_name == "system" else _("a visitor"))


def request_fields() -> dict[str, Any]:
    ctx = request_context.get() or {}
    return {"request_id": ctx.get("request_id", ""), "ip_address": ctx.get("ip")}


def _update_row(
    obj: models.Model, changed: dict[str, list[Any]], note: str, fields: dict[str, Any]
) -> AuditLog:
    return AuditLog(
        action=AuditLog.Action.UPDATE,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes={"fields": changed},
        note=note,
        **fields,
    )


def record_change(
    actor: Any,
    obj: models.Model,
    before: dict[str, Any] | None,
    *,
    deleted: bool = False,
    note: str = "",
) -> AuditLog | None:
    """Record a create (before is None), an update, or a delete (deleted=True).

    An update with no changed field and no link change is recorded only when it has a note
    (the note says what happened, e.g. a correction that kept the text).
    """
    if deleted:
        action, changes = AuditLog.Action.DELETE, {"before": before or snapshot(obj)}
    elif before is None:
        action, changes = AuditLog.Action.CREATE, {"after": snapshot(obj)}
    else:
        changed = diff(before, after_snapshot(obj, before))
        if not changed and not note:
            return None
        row = _update_row(obj, changed, note, {**actor_fields(actor), **request_fields()})
        row.save()
        return row
    return AuditLog.objects.create(
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes=changes,
        note=note,
        **actor_fields(actor),
        **request_fields(),
    )


def record_event(
    actor: Any,
    event_type: AuditEvent | str,
    obj: models.Model | None = None,
    note: str = "",
    **data: Any,
) -> AuditLog:
    """A business event from the catalogue (``AuditEvent.BRANCH_FORMED``); unknown names raise."""
    return AuditLog.objects.create(
        action=AuditLog.Action.EVENT,
        event_type=checked(event_type),
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        changes=data,
        note=note,
        **actor_fields(actor),
        **request_fields(),
    )


def row_values(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The values of ``fields`` of a row as ``record_rows`` compares them (plain, personal
    fields masked); a row not written yet is built unsaved and read the same way."""
    maskers = personal.maskers(obj._meta.label_lower)
    values = {}
    attnames = {f.name: f.attname for f in obj._meta.concrete_fields}
    for name in fields:
        value = plain(getattr(obj, attnames[name]))
        if name in maskers and value:
            value = maskers[name](str(value))
        values[name] = value
    return values


def record_rows(
    actor: Any,
    event_type: AuditEvent | str,
    obj: models.Model,
    label: str,
    rows: Iterable[tuple[Any, str, dict[str, Any] | None, dict[str, Any] | None]],
    *,
    note: str = "",
    **data: Any,
) -> AuditLog | None:
    """One event on ``obj`` for changes to many of its rows of model ``label``
    ("orglife.attendance": a meeting's attendance written at once), instead of a record per
    row: each ``(key, repr, before, after)`` — ``before`` None for a row made, ``after`` None
    for one removed, values from ``row_values`` — whose values differ is listed under
    ``changes["rows_changed"]`` with the fields that changed, before → after. The audit page shows a
    line per row (``access.audit_words``). Nothing is recorded when no row changed."""
    listed = []
    for key, shown, before, after in rows:
        before_values, after_values = before or {}, after or {}
        fields = {
            name: [before_values.get(name), after_values.get(name)]
            for name in (*before_values, *(n for n in after_values if n not in before_values))
            if before is None or after is None or before_values.get(name) != after_values.get(name)
        }
        if before is not None and after is not None and not fields:
            continue
        listed.append({"id": plain(key), "object": str(shown)[:200], "fields": fields})
    if not listed:
        return None
    return record_event(
        actor,
        event_type,
        obj,
        note=note,
        rows_changed={"model": label, "changes": listed},
        **data,
    )


def record_read(
    actor: Any,
    what: AuditEvent | str,
    obj: models.Model | None = None,
    note: str = "",
    **data: Any,
) -> AuditLog:
    """A sensitive read: an unmasked ID number, an export of personal data, a file download."""
    return AuditLog.objects.create(
        action=AuditLog.Action.READ,
        event_type=checked(what),
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        changes=data,
        note=note,
        **actor_fields(actor),
        **request_fields(),
    )


def record_signin(user: Any, what: AuditEvent | str) -> AuditLog:
    """Sign-in and sign-out, under their own action so the trail can be filtered by them."""
    return AuditLog.objects.create(
        action=AuditLog.Action.SIGNIN,
        event_type=checked(what),
        object_type=user._meta.label_lower,
        object_id=str(user.pk),
        object_repr=str(user)[:200],
        **actor_fields(user),
        **request_fields(),
    )
