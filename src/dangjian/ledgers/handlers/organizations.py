"""The member unit ledger: units by their credit code, with their membership of the federation."""

from __future__ import annotations

from django.utils.translation import gettext as _

from dangjian.core import audit
from dangjian.ledgers import cells
from dangjian.ledgers.engine import CHANGED, NEW, UNCHANGED
from dangjian.ledgers.handlers.base import Handler, audit_updates
from dangjian.registry.models import Membership, Organization


class OrganizationHandler(Handler):
    ledger = "organizations"
    FIELDS = (
        "name",
        "legal_form",
        "category",
        "district",
        "supervising_unit",
        "registration_authority",
        "founded_on",
        "registered_address",
        "contact_name",
        "contact_phone",
        "status",
    )

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
        row.label = rec.get("name", "")

    def classify(self, ctx, rows):
        existing = Organization.objects.in_bulk([r.record["uscc"] for r in rows], field_name="uscc")
        for row in rows:
            rec = row.record
            org = existing.get(rec["uscc"])
            row.key = org
            if org is None:
                row.status = NEW
                continue
            if org.pk not in self.unit_names:
                row.errors["uscc"] = _(
                    "A unit with this credit code exists but is not a member unit of this "
                    "federation within your scope; it cannot be changed from here."
                )
                continue
            values = {f: rec[f] for f in self.FIELDS if f in rec}
            self.compare(row, org, values, {})
            rec["_values"] = values
            row.status = CHANGED if row.changes else UNCHANGED

    def apply(self, ctx, rows):
        pairs = []
        for row in rows:
            rec = row.record
            if row.status == NEW:
                org = Organization.objects.create(
                    uscc=rec["uscc"], **{f: rec[f] for f in self.FIELDS if f in rec}
                )
                Membership.objects.create(
                    federation=ctx.federation,
                    organization=org,
                    role=rec.get("membership_role") or Membership.Role.MEMBER,
                    valid_from=rec.get("joined_on") or ctx.today,
                )
                self.unit_by_uscc[org.uscc] = org.pk
            else:
                org = row.key
                before = audit.snapshot(org)
                for f, v in rec["_values"].items():
                    setattr(org, f, v)
                org.save()
                pairs.append((org, before))
        audit_updates(ctx, pairs, self.note)
