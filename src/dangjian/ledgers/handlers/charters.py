"""The charter revision ledger: each version of a unit's charter (章程), by unit and adoption
date, with whether it contains the party-building clause. Written through governance.services."""

from __future__ import annotations

from dangjian.core.validators import not_in_future
from dangjian.governance import services as governance_services
from dangjian.governance.models import CharterRevision
from dangjian.ledgers.handlers.base import UnitFactHandler, validate


class CharterHandler(UnitFactHandler):
    ledger = "charter_revisions"

    def check(self, ctx, row):
        rec = row.record
        org = self.unit(row)
        # Not checked against the unit's founding: the founding assembly adopts the charter
        # before the unit is registered.
        validate(row, "adopted_on", not_in_future)
        row.key = (org, rec.get("adopted_on"))
        if org and rec.get("adopted_on"):
            self.duplicate(row, row.key, "adopted_on")
        row.label = self.unit_label(row, rec.get("adopted_on"))

    def existing(self, ctx):
        return {(c.organization_id, c.adopted_on): c for c in self.stored(ctx, CharterRevision)}

    def values(self, ctx, row):
        clause = {"has_party_building_clause": row.record["has_party_building_clause"]}
        return clause | self.optional(row, "note")

    def fixed(self, ctx, row):
        return {"organization_id": row.record["_org"], "adopted_on": row.record["adopted_on"]}

    def create(self, ctx, rows):
        return governance_services.record_charter_revisions_bulk(
            rows, actor=ctx.user, note=self.note
        )

    def update(self, ctx, changes):
        governance_services.update_charter_revisions_bulk(changes, actor=ctx.user, note=self.note)
