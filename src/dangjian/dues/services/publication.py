"""The yearly publication of a branch's dues (党费收缴情况公示), kept as published."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.core.audit import acting_user, record_change, record_event, snapshot
from dangjian.core.events import AuditEvent
from dangjian.dues import queries
from dangjian.dues.models import DuesPublication
from dangjian.dues.services.common import _create_once, _not_in_future, _today
from dangjian.party.models import PartyOrganization


@transaction.atomic
def publish_year(
    branch: PartyOrganization,
    year: int,
    *,
    published_on: datetime.date | None = None,
    actor,
    today: datetime.date | None = None,
) -> DuesPublication:
    """Publish the branch's dues of ``year`` (党费收缴情况公示) as they stand on the day. The
    figures are kept as published; publishing again replaces them (and says so in the trail)."""
    today = _today(today)
    published_on = published_on or today
    _not_in_future(published_on, today)
    if published_on < datetime.date(year, 1, 1):
        raise ValidationError(_("A year cannot be published before it begins."))
    figures = queries.year_table(branch, year, published_on)
    if not figures["rows"]:
        raise ValidationError(
            _("No dues are set for %(year)d at this branch yet: set the year's amounts first.")
            % {"year": year}
        )
    existing = (
        DuesPublication.objects.select_for_update()
        .filter(party_organization=branch, year=year)
        .first()
    )
    if existing is not None:
        before = snapshot(existing)
        existing.published_on = published_on
        existing.figures = figures
        existing.published_by = acting_user(actor)
        existing.save()
        record_change(actor, existing, before, note="published again")
        publication = existing
    else:
        publication = DuesPublication(
            party_organization=branch,
            year=year,
            published_on=published_on,
            figures=figures,
            published_by=acting_user(actor),
        )
        _create_once(publication, _("Someone else published this year at the same time."))
        record_change(actor, publication, None)
    record_event(actor, AuditEvent.DUES_PUBLISHED, publication, year=year)
    return publication
