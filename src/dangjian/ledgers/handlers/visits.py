"""The visit ledger (走访记录): visits and surveys of member units by instructors and the
federation's staff, by unit, day and visitors. Written through inspections.services, as the
visit pages write them."""

from __future__ import annotations

from functools import partial

from django.utils.translation import gettext as _

from dangjian.access import scope
from dangjian.access.models import Action
from dangjian.core.validators import not_before_founding, not_in_future
from dangjian.inspections import services as inspection_services
from dangjian.inspections.models import Visit
from dangjian.ledgers import cells
from dangjian.ledgers.handlers.base import UnitFactHandler, name_key, validate
from dangjian.party.models import Instructor, InstructorAssignment
from dangjian.registry.models import Organization


class VisitHandler(UnitFactHandler):
    ledger = "visits"
    sources = {"instructor_id": "instructor"}

    def load(self, ctx, present):
        super().load(ctx, present)
        # The instructors each unit has had (any time), by name: a visit names one of them.
        assignments = InstructorAssignment.objects.filter(
            organization__in=self.units(ctx).values("pk")
        )
        if ctx.user is not None:
            visible = scope.visible(Instructor, ctx.user, Action.EDIT).values("pk")
            assignments = assignments.filter(instructor__in=visible)
        self.instructor_by_unit: dict[tuple[int, str], int | None] = {}
        self.instructor_names: dict[int, str] = {}
        for org, pk, name in assignments.values_list(
            "organization_id", "instructor_id", "instructor__name"
        ).distinct():
            key = (org, name_key(name))
            known = self.instructor_by_unit.get(key, pk)
            self.instructor_by_unit[key] = pk if known == pk else None  # None: two of that name
            self.instructor_names[pk] = name

    def check(self, ctx, row):
        rec = row.record
        org = self.unit(row)
        founded = self.unit_founded.get(org) if org else None
        validate(row, "visited_on", not_in_future, partial(not_before_founding, founded_on=founded))
        rec["visitors"] = cells.compact(rec.get("visitors", "")) if "visitors" in rec else ""
        row.key = (org, rec.get("visited_on"), rec["visitors"])
        if org and rec.get("visited_on") and rec["visitors"]:
            self.duplicate(row, row.key, "visitors")
        rec["instructor_id"] = self._instructor(row, org)
        row.label = self.unit_label(row, rec.get("visited_on"))

    def _instructor(self, row, org):
        name = row.record.get("instructor")
        if not name or not org:
            return None
        pk = self.instructor_by_unit.get((org, name_key(name)), "missing")
        if pk == "missing":
            row.errors["instructor"] = _(
                "No instructor named %(name)s was ever assigned to this unit; import the "
                "instructor ledger first or check the name."
            ) % {"name": name}
            return None
        if pk is None:
            row.errors["instructor"] = _(
                "Several instructors named %(name)s were assigned to this unit; record this "
                "visit on the visit page instead."
            ) % {"name": name}
        return pk

    def existing(self, ctx):
        return {
            (v.organization_id, v.visited_on, cells.compact(v.visitors)): v
            for v in self.stored(ctx, Visit)
        }

    def values(self, ctx, row):
        rec = row.record
        values = {"findings": rec["findings"]}
        if "instructor" in self.present:
            values["instructor_id"] = rec["instructor_id"]
        if "unreachable_at_address" in self.present:
            values["unreachable_at_address"] = rec.get("unreachable_at_address", False)
        return values | self.optional(row, "follow_up")

    def fixed(self, ctx, row):
        rec = row.record
        return {
            "organization_id": rec["_org"],
            "visited_on": rec["visited_on"],
            "visitors": rec["visitors"],
        }

    def display(self, fieldname, column, value):
        if fieldname == "instructor_id":
            return self.instructor_names.get(value, "") if value else ""
        return super().display(fieldname, column, value)

    def create(self, ctx, rows):
        units = Organization.objects.in_bulk([r["organization_id"] for r in rows])
        instructors = Instructor.objects.in_bulk(
            [r["instructor_id"] for r in rows if r.get("instructor_id")]
        )
        return [
            inspection_services.record_visit(
                units[r["organization_id"]],
                r["visited_on"],
                r["visitors"],
                r["findings"],
                instructor=instructors.get(r.get("instructor_id")),
                unreachable_at_address=r.get("unreachable_at_address", False),
                follow_up=r.get("follow_up", ""),
                actor=ctx.user,
                note=self.note,
            )
            for r in rows
        ]

    def update(self, ctx, changes):
        for visit, values in changes:
            inspection_services.update_visit(visit, values, actor=ctx.user, note=self.note)
