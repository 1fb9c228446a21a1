"""Campaigns: opened and changed by the federation."""

from __future__ import annotations

from django.db import transaction

from dangjian.core.audit import record_change, snapshot
from dangjian.registry.models import Federation

from ..models import (
    Campaign,
)


# -- campaigns ---------------------------------------------------------------------------------
@transaction.atomic
def create_campaign(federation: Federation, *, actor, **fields) -> Campaign:
    campaign = Campaign(federation=federation, **fields)
    campaign.full_clean()
    campaign.save()
    record_change(actor, campaign, None)
    return campaign


@transaction.atomic
def update_campaign(campaign: Campaign, *, actor, **fields) -> Campaign:
    before = snapshot(campaign)
    for name, value in fields.items():
        setattr(campaign, name, value)
    campaign.full_clean()
    campaign.save()
    record_change(actor, campaign, before)
    return campaign
