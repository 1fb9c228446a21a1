"""The member unit ledger: units by their credit code, with their membership of the federation."""

from __future__ import annotations

from django.utils.translation import gettext as _

from dangjian.ledgers import cells
from dangjian.ledgers.engine import CHANGED, NEW, UNCHANGED
from dangjian.ledgers.handlers.base import Handler
from dangjian.registry import services as registry_services
from dangjian.registry.models import Membership, Organization


class OrganizationHandler(Handler):
    ledger = "organizations"
    FIELDS = registry_services.UNIT_FIELDS  # what an import may set on a unit: one list

    def load(self, ctx, present):
        super().load(ctx, present)
        self.load_units(ctx)

    def check(self, ctx, row):
        rec = row.record
        if rec.get("uscc"):
            self.duplicate(row, rec["uscc"], "uscc")
        rec["status"] = rec.get("status") or Organization.Status.ACTIVE
        if "contact_name" in rec:
            rec["contact_name"] = cells.compact(rec["contact_name"])
        # Joining the federation comes after the founding given here, or else the stored one.
        founded = rec.get("founded_on") or self.unit_founded.get(
            self.unit_by_uscc.get(rec.get("uscc"), 0)
        )
        self.after_founding(row, "joined_on", founded)
        row.label = rec.get("name", "")

    def classify(self, ctx, rows):
        existing = Organization.objects.in_bulk([r.record["uscc"] for r in rows], field_name="uscc")
        for row in rows:
            rec = row.record
            org = existing.get(rec["uscc"])
            row.key = org
            if org is None:
                self.unmask(row, rec, "contact_phone", "")
                if not row.errors:
                    row.status = NEW
                continue
            if org.pk not in self.unit_names:
                row.errors["uscc"] = _(
                    "A unit with this credit code exists but is not a member unit of this "
                    "federation within your scope; it cannot be changed from here."
                )
                continue
            values = {f: rec[f] for f in self.FIELDS if f in rec}
            self.unmask(row, values, "contact_phone", org.contact_phone)
            if row.errors:
                continue
            self.compare(row, org, values, {})
            rec["_values"] = values
            row.status = CHANGED if row.changes else UNCHANGED

    def apply(self, ctx, rows):
        """New units are admitted to the federation, changed ones updated: through the registry
        services (one event for the admitted units, a field-level record per changed one)."""
        new = [r.record for r in rows if r.status == NEW]
        memberships = registry_services.admit_units_bulk(
            ctx.federation,
            [
                {
                    "unit": {"uscc": rec["uscc"], **{f: rec[f] for f in self.FIELDS if f in rec}},
                    "role": rec.get("membership_role") or Membership.Role.MEMBER,
                    "valid_from": rec.get("joined_on") or ctx.today,
                }
                for rec in new
            ],
            actor=ctx.user,
            note=self.note,
        )
        for rec, membership in zip(new, memberships, strict=True):
            self.unit_by_uscc[rec["uscc"]] = membership.organization_id
        registry_services.update_organizations_bulk(
            [(r.key, r.record["_values"]) for r in rows if r.status == CHANGED],
            actor=ctx.user,
            note=self.note,
        )
