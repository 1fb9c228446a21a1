"""The major decision ledger (重大事项决策): by unit, day and subject, with the deciding body and
whether the party organization took part. Written through governance.services."""

from __future__ import annotations

from functools import partial

from dangjian.core.validators import not_before_founding, not_in_future
from dangjian.governance import services as governance_services
from dangjian.governance.models import MajorDecision
from dangjian.ledgers import cells
from dangjian.ledgers.handlers.base import UnitFactHandler, validate


class DecisionHandler(UnitFactHandler):
    ledger = "major_decisions"

    def check(self, ctx, row):
        rec = row.record
        org = self.unit(row)
        day = rec.get("decided_on")
        founded = self.unit_founded.get(org) if org else None
        validate(row, "decided_on", not_in_future, partial(not_before_founding, founded_on=founded))
        row.key = (org, day, cells.compact(rec.get("subject", "")))
        if org and day and rec.get("subject"):
            self.duplicate(row, row.key, "subject")
        row.label = self.unit_label(row, day, rec.get("subject"))

    def existing(self, ctx):
        return {
            (d.organization_id, d.decided_on, cells.compact(d.subject)): d
            for d in self.stored(ctx, MajorDecision)
        }

    def values(self, ctx, row):
        rec = row.record
        return {
            "body": rec["body"],
            "party_participated": rec["party_participated"],
        } | self.optional(row, "note")

    def fixed(self, ctx, row):
        rec = row.record
        return {
            "organization_id": rec["_org"],
            "decided_on": rec["decided_on"],
            "subject": rec["subject"],
        }

    def create(self, ctx, rows):
        return governance_services.record_major_decisions_bulk(rows, actor=ctx.user, note=self.note)

    def update(self, ctx, changes):
        governance_services.update_major_decisions_bulk(changes, actor=ctx.user, note=self.note)
