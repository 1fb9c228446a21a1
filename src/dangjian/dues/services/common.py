"""The checks and steps the dues services share: today, no date in the future, a range of
months, nothing due before joining, and saving a row whose uniqueness the database guards."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.errors import Conflict
from dangjian.dues import queries
from dangjian.dues.queries import label, month_start
from dangjian.party.models import PartyMember


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _not_in_future(day: datetime.date | None, today: datetime.date) -> None:
    if day is not None and day > today:
        raise ValidationError(_("This date is in the future."))


def _months(first: datetime.date, last: datetime.date) -> tuple[datetime.date, datetime.date]:
    first, last = month_start(first), month_start(last)
    if last < first:
        raise ValidationError(_("The last month must not be earlier than the first month."))
    return first, last


def _not_before_joining(member: PartyMember, month: datetime.date) -> None:
    if month < queries.first_due_month(member):
        raise ValidationError(
            _("%(name)s joined the party in %(month)s; no dues are due before that month.")
            % {"name": member.name, "month": label(queries.first_due_month(member))}
        )


def _create_once(obj: Any, conflict: str) -> None:
    """Save a new row whose uniqueness the database guards: of two people saving the same
    thing at once, one wins and the other gets ``conflict``."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise Conflict(conflict) from None
