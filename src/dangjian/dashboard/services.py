"""Writes of the dashboard: its snapshots (derived figures, never facts: no audit record, as
the rules' coverage snapshots)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from dangjian.dashboard.context import Context
from dangjian.dashboard.models import PanelSnapshot
from dangjian.dashboard.panels import panels
from dangjian.registry.models import Federation


@transaction.atomic
def take_snapshots(federation: Federation, day: datetime.date) -> int:
    """Compute every panel of ``federation`` as of ``day`` (as an officer of it sees it) and
    store them, replacing those of the same day. Returns the number of panels stored."""
    ctx = Context.for_snapshot(federation, day)
    now = timezone.now()
    rows = [
        PanelSnapshot(
            federation=federation, day=day, panel=p.key, data=p.compute(ctx), computed_at=now
        )
        for p in panels()
    ]
    PanelSnapshot.objects.filter(federation=federation, day=day).delete()
    PanelSnapshot.objects.bulk_create(rows)
    return len(rows)
