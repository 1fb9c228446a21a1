"""The audit trail in words: what kind of record, which field went from what to what, and one
record per editing session for autosaves (issue 16 point 5)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import AuditLog

AUTOSAVE = "autosave"
# Autosaves of one object by one person less than this apart belong to one editing session.
SESSION_GAP = datetime.timedelta(minutes=30)
VALUE_CHARS = 60
MAX_LINES = 8

# Keys of event data that are not fields of the object's model.
DATA_LABELS = {
    "invitation": _("invitation"),
    "expires_at": _("expires at"),
    "role": _("role"),
    "count": _("number"),
    "rows": _("rows"),
    "file": _("file"),
    "note": _("note"),
}
ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def model_of(log: AuditLog) -> type[Model] | None:
    if not log.object_type or "." not in log.object_type:
        return None
    try:
        return apps.get_model(log.object_type)
    except (LookupError, ValueError):
        return None


def object_words(log: AuditLog) -> str:
    """ "单位 天津市大数据协会" rather than "registry.organization #12 …"."""
    model = model_of(log)
    kind = str(model._meta.verbose_name) if model is not None else log.object_type
    return " ".join(part for part in (kind, log.object_repr) if part)


def _field(model: type[Model] | None, name: str) -> Any:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _field_label(model: type[Model] | None, name: str) -> str:
    field = _field(model, name)
    if field is not None and hasattr(field, "verbose_name"):
        return str(field.verbose_name)
    if name in DATA_LABELS:
        return str(DATA_LABELS[name])
    return name.replace("_", " ")


def value_words(value: Any, field: Any = None) -> str:
    """A recorded value as people read it: a choice by its label, a date and time without
    seconds, rich text without its tags, a link to another record by its number."""
    if value is None or value == "":
        return "—"
    if value is True:
        return str(_("yes"))
    if value is False:
        return str(_("no"))
    if isinstance(value, list):
        return "、".join(value_words(v) for v in value) or "—"
    if isinstance(value, dict):
        return "；".join(f"{k}：{value_words(v)}" for k, v in value.items()) or "—"
    choices = dict(getattr(field, "flatchoices", None) or [])
    if choices and value in choices:
        return str(choices[value])
    if field is not None and getattr(field, "many_to_one", False):
        return f"#{value}"
    text = str(value)
    if isinstance(value, str) and ISO_TIME.match(text):
        try:
            moment = datetime.datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            if moment.tzinfo is not None:
                moment = timezone.localtime(moment)
            return f"{moment:%Y-%m-%d %H:%M}"
    return Truncator(strip_tags(text)).chars(VALUE_CHARS)


@dataclass
class Line:
    field: str
    before: str
    after: str


def _row_words(model: type[Model] | None, fields: dict[str, list[Any]], side: int) -> str:
    """One side of a row's changed fields, values only ("缺席，事假"): empty ones left out,
    in the model's field order (PostgreSQL's jsonb keeps an object's keys in its own order)."""
    order = {f.name: i for i, f in enumerate(model._meta.fields)} if model else {}
    words = [
        value_words(pair[side], _field(model, name))
        for name, pair in sorted(fields.items(), key=lambda item: order.get(item[0], len(order)))
        if isinstance(pair, list) and len(pair) == 2 and pair[side] not in (None, "")
    ]
    return "，".join(words)


ROWS_KEY = "rows_changed"  # core.audit.record_rows


def row_lines(rows: dict[str, Any]) -> list[Line]:
    """``core.audit.record_rows``' rows as lines: the row (a member's name) and its values
    before → after (a row made: → values; one removed: values →)."""
    model = None
    if "." in str(rows.get("model", "")):
        try:
            model = apps.get_model(rows["model"])
        except (LookupError, ValueError):
            model = None
    lines = []
    for row in rows.get("changes") or []:
        fields = row.get("fields") or {}
        lines.append(
            Line(
                str(row.get("object") or f"#{row.get('id')}"),
                _row_words(model, fields, 0),
                _row_words(model, fields, 1) or "—",
            )
        )
    return lines


def change_lines(log: AuditLog) -> list[Line]:
    """The record's changes as field: before → after (a creation: → value; a deletion:
    value →; an event: its data; many rows of one object changed at once: a line per row)."""
    model = model_of(log)
    changes = dict(log.changes or {})
    lines: list[Line] = []
    if isinstance(changes.get(ROWS_KEY), dict):
        lines += row_lines(changes.pop(ROWS_KEY))
    if log.action == AuditLog.Action.UPDATE:
        for name, pair in (changes.get("fields") or {}).items():
            before, after = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
            field = _field(model, name)
            lines.append(
                Line(
                    _field_label(model, name), value_words(before, field), value_words(after, field)
                )
            )
    elif log.action == AuditLog.Action.CREATE:
        for name, value in (changes.get("after") or {}).items():
            if value not in (None, "", [], {}) and name not in ("id", "created_at", "updated_at"):
                field = _field(model, name)
                lines.append(Line(_field_label(model, name), "", value_words(value, field)))
    elif log.action == AuditLog.Action.DELETE:
        for name, value in (changes.get("before") or {}).items():
            if value not in (None, "", [], {}) and name not in ("id", "created_at", "updated_at"):
                field = _field(model, name)
                lines.append(Line(_field_label(model, name), value_words(value, field), ""))
    else:
        for name, value in changes.items():
            lines.append(Line(_field_label(model, name), "", value_words(value)))
    return lines


def collapse_autosaves(qs: QuerySet[AuditLog]) -> QuerySet[AuditLog]:
    """Leave out every autosave followed within ``SESSION_GAP`` by another of the same object
    by the same person: the last one of a session stands for it (``merge_sessions``)."""
    later = AuditLog.objects.filter(
        note=AUTOSAVE,
        object_type=OuterRef("object_type"),
        object_id=OuterRef("object_id"),
        actor_name=OuterRef("actor_name"),
        at__gt=OuterRef("at"),
        at__lte=OuterRef("at") + SESSION_GAP,
    )
    return qs.exclude(Q(note=AUTOSAVE) & Exists(later))


def merge_sessions(rows: Iterable[AuditLog]) -> None:
    """For each autosave on the page, read its session back (one query for the page): set
    ``session_count`` and merge the changes into first before → last after."""
    last = [r for r in rows if r.note == AUTOSAVE and r.action == AuditLog.Action.UPDATE]
    if not last:
        return
    earliest = min(r.at for r in last) - datetime.timedelta(days=1)
    keys = Q()
    for r in last:
        keys |= Q(object_type=r.object_type, object_id=r.object_id, actor_name=r.actor_name)
    history: dict[tuple[str, str, str], list[AuditLog]] = {}
    for log in (
        AuditLog.objects.filter(
            keys, note=AUTOSAVE, at__gte=earliest, at__lte=max(r.at for r in last)
        )
        .order_by("at", "id")
        .only("at", "object_type", "object_id", "actor_name", "changes")
    ):
        history.setdefault((log.object_type, log.object_id, log.actor_name), []).append(log)
    for r in last:
        chain = [
            h for h in history.get((r.object_type, r.object_id, r.actor_name), []) if h.at <= r.at
        ]
        session = [chain[-1]] if chain else []
        for earlier in reversed(chain[:-1]):
            if session[0].at - earlier.at > SESSION_GAP:
                break
            session.insert(0, earlier)
        r.session_count = len(session) or 1  # type: ignore[attr-defined]
        merged: dict[str, list[Any]] = {}
        for h in session:
            for name, pair in ((h.changes or {}).get("fields") or {}).items():
                if name in merged:
                    merged[name][1] = pair[1]
                else:
                    merged[name] = list(pair)
        if merged:
            r.changes = {"fields": {k: v for k, v in merged.items() if v[0] != v[1]}}
