"""The annual inspection ledger (年度检查): one row per unit and work year, with the report dates
and the conclusion. Written through inspections.services.save_annual_inspection, as the
inspection page writes it, and checked by the same rules (annual_inspection_problems)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from dangjian.access.models import Action
from dangjian.inspections import services as inspection_services
from dangjian.inspections.models import AnnualInspection
from dangjian.ledgers.handlers.base import UnitFactHandler
from dangjian.registry.models import Organization
from dangjian.rulebook.deadlines import is_exempt

FIELDS = ("report_to_supervisor_on", "report_to_registrar_on", "conclusion", "notes")


class AnnualInspectionHandler(UnitFactHandler):
    ledger = "annual_inspections"
    unit_action = Action.APPROVE  # as on the inspection page: concluding needs the right

    def check(self, ctx, row):
        rec = row.record
        org = self.unit(row)
        year = rec.get("year")
        if year is not None and not inspection_services.FIRST_YEAR <= year <= ctx.today.year:
            row.errors["year"] = _("The work year must be between %(first)d and %(last)d.") % {
                "first": inspection_services.FIRST_YEAR,
                "last": ctx.today.year,
            }
        row.key = (org, year)
        if org and year is not None:
            self.duplicate(row, row.key, "year")
        if org and "year" not in row.errors and year is not None:
            problems = inspection_services.annual_inspection_problems(
                year,
                exempt=is_exempt(self.unit_founded.get(org), year),
                report_to_supervisor_on=rec.get("report_to_supervisor_on"),
                report_to_registrar_on=rec.get("report_to_registrar_on"),
                conclusion=rec.get("conclusion", ""),
            )
            for key, message in problems.items():
                row.errors.setdefault(key, message)
        row.label = self.unit_label(row, year)

    def existing(self, ctx):
        return {(i.organization_id, i.year): i for i in self.stored(ctx, AnnualInspection)}

    def values(self, ctx, row):
        rec = row.record
        return {f: rec.get(f) for f in FIELDS[:2] if f in self.present} | self.optional(
            row, *FIELDS[2:]
        )

    def fixed(self, ctx, row):
        return {"organization_id": row.record["_org"], "year": row.record["year"]}

    def create(self, ctx, rows):
        units = Organization.objects.in_bulk([r["organization_id"] for r in rows])
        return [self._save(ctx, units[r["organization_id"]], r["year"], None, r) for r in rows]

    def update(self, ctx, changes):
        units = Organization.objects.in_bulk([i.organization_id for i, _v in changes])
        for inspection, values in changes:
            self._save(ctx, units[inspection.organization_id], inspection.year, inspection, values)

    def _save(self, ctx, org, year, stored, values):
        """The page's write: every field given (a column left out of the file keeps the
        stored value), the version read by this import."""
        data = {f: values.get(f, getattr(stored, f) if stored else None) for f in FIELDS}
        return inspection_services.save_annual_inspection(
            org,
            year,
            report_to_supervisor_on=data["report_to_supervisor_on"],
            report_to_registrar_on=data["report_to_registrar_on"],
            conclusion=data["conclusion"] or "",
            notes=data["notes"] or "",
            version=stored.version if stored else None,
            today=ctx.today,
            actor=ctx.user,
            note=self.note,
        )
