"""Every write on the rulebook's configuration: a federation's override of a rule's
parameters. Atomic and audited."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.core.audit import record_change, snapshot
from dangjian.rulebook import loader
from dangjian.rulebook.models import RuleOverride


@transaction.atomic
def set_override(
    federation: Any,
    rule_id: str,
    parameters: dict[str, Any],
    valid_from: datetime.date,
    *,
    actor: Any,
    note: str = "",
) -> RuleOverride:
    """A federation's own parameter values for a rule, from ``valid_from``. Only parameters the
    rule has may be overridden, with a value of the same type."""
    book = loader.load()
    if rule_id not in book.revisions:
        raise ValidationError(_("Unknown rule."))
    known = book.latest(rule_id).parameters
    for key, value in parameters.items():
        if key not in known:
            raise ValidationError(_("The rule has no parameter “%(name)s”.") % {"name": key})
        if key in book.latest(rule_id).national:
            raise ValidationError(
                _("“%(name)s” applies nationally and cannot be changed for one federation.")
                % {"name": key}
            )
        expected = known[key]
        if type(value) is not type(expected):
            raise ValidationError(
                _("The value of “%(name)s” must have the same form as the rulebook's.")
                % {"name": key}
            )
        if isinstance(value, int) and not isinstance(value, bool) and value < 0:
            raise ValidationError(_("“%(name)s” cannot be negative.") % {"name": key})
    override = RuleOverride.objects.filter(
        federation=federation, rule_id=rule_id, valid_from=valid_from
    ).first()
    before = snapshot(override) if override else None
    if override is None:
        override = RuleOverride(federation=federation, rule_id=rule_id, valid_from=valid_from)
    override.parameters = parameters
    override.note = note
    override.save()
    record_change(actor, override, before)
    return override
