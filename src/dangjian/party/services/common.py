"""The steps every fact service above the registry shares (party, governance, orglife): the
period check and the audited update / end / delete of one record."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dangjian.core.audit import record_change, record_event, snapshot


def check_period(valid_from, valid_to) -> None:
    """The one period check of the party services: a start, and no end before it."""
    if valid_from is None:
        raise ValidationError(_("The start date is required."))
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError(_("The end date must not be earlier than the start date."))


def update_fact(obj, values: dict, *, actor, note="", allowed=None):
    before = snapshot(obj)
    for field, value in values.items():
        if allowed is not None and field not in allowed:
            raise ValidationError(
                _("The field %(field)s cannot be changed here.") % {"field": field}
            )
        setattr(obj, field, value)
    if hasattr(obj, "valid_from"):
        check_period(obj.valid_from, obj.valid_to)
    obj.save()
    record_change(actor, obj, before, note=note)
    return obj


def end_fact(model, obj, on: datetime.date, *, actor, note="", event=""):
    obj = model.objects.select_for_update().get(pk=obj.pk)
    if obj.valid_to is not None:
        raise ValidationError(_("This record has already ended."))
    if on < obj.valid_from:
        raise ValidationError(_("The end date must not be earlier than the start date."))
    before = snapshot(obj)
    obj.valid_to = on
    obj.save(update_fields=["valid_to", "updated_at"])
    record_change(actor, obj, before, note=note)
    if event:
        record_event(actor, event, obj, valid_to=str(on))
    return obj


def delete_fact(obj, *, actor, note="") -> None:
    """Remove a record entered by mistake (real history is ended, never deleted)."""
    record_change(actor, obj, snapshot(obj), deleted=True, note=note)
    obj.delete()
