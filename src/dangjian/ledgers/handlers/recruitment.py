"""The recruitment ledger (发展党员工作台账): one row per applicant and step, recorded through
``recruitment.services`` in date order — the application registers the applicant, every other
step goes through ``record_step`` with the checks of the pages (order, intervals, who acts,
the branch meeting's quorum and majority), so a refused step carries the service's Chinese
message naming its article.

Applicants are found by the blind index of their ID number. A step already recorded on the
same day is unchanged (importing the same file twice records nothing twice); a step recorded
on another day is refused, never moved: recorded history is corrected on the applicant's page.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from dangjian.access import scope
from dangjian.access.models import Action
from dangjian.core import crypto
from dangjian.ledgers import cells
from dangjian.ledgers.handlers.base import name_key
from dangjian.ledgers.handlers.replay import ReplayHandler
from dangjian.party.models import PartyMember, PartyOrganization
from dangjian.recruitment import procedure
from dangjian.recruitment import services as recruitment_services
from dangjian.recruitment.models import Applicant
from dangjian.recruitment.queries import higher_organization_ids

APPLICATION = "application"
# Short names officers write for some steps (the rulebook's titles are matched as well).
ALIASES = {
    "入党申请": "application",
    "申请入党": "application",
    "谈话": "talk",
    "确定入党积极分子": "activist",
    "入党积极分子": "activist",
    "确定培养联系人": "contacts",
    "培养联系人": "contacts",
    "考察": "assessment",
    "发展对象": "candidate",
    "入党介绍人": "sponsors",
    "政审": "political_review",
    "政治审查": "political_review",
    "培训": "training",
    "集中培训": "training",
    "预审": "pre_review",
    "入党志愿书": "application_form",
    "接收预备党员": "admission_meeting",
    "支部大会讨论接收": "admission_meeting",
    "审批": "admission_approval",
    "入党宣誓": "oath",
    "宣誓": "oath",
    "转正申请": "full_request",
    "讨论转正": "full_meeting",
    "转正审批": "full_approval",
    "延长预备期": "extension",
    "归档": "archive",
}
# The row's values the step form would give ``record_step`` (besides the date, the members
# and the approver, looked up by the handler).
STEP_FIELDS = (
    "decided_by",
    "method",
    "passed",
    "days",
    "hours",
    "present",
    "yes_present",
    "yes_written",
    "months",
    "acted_by",
    "note",
)
_SEPARATORS = re.compile(r"[、,，;；/\s]+")


class RecruitmentHandler(ReplayHandler):
    ledger = "recruitment"
    error_column = "step"

    def load(self, ctx, present):
        super().load(ctx, present)
        self.load_party_orgs(ctx)
        self.by_title: dict[str, str] = {}

    def _code(self, row) -> str | None:
        text = name_key(row.record.get("step") or "")
        day = row.record.get("done_on")
        if not text or day is None:
            return None
        titles = {name_key(s.title): s.code for s in procedure.steps(day)}
        codes = {s.code for s in procedure.steps(day)}
        code = titles.get(text) or ALIASES.get(text) or (text if text in codes else None)
        if code is None:
            row.errors["step"] = _(
                "Unknown recruitment step; write the step's name as the rules of procedure "
                "give it (see the template's notes)."
            )
        return code

    def check(self, ctx, row):
        rec = row.record
        rec["_branch"] = self.party_org_for(row, "branch")
        rec["_code"] = self._code(row)
        row.label = f"{rec.get('name', '')} {rec.get('step', '')}".strip()
        number = rec.get("id_number")
        rec["_hash"] = crypto.blind_index(number) if number else None
        if rec["_hash"] and rec["_code"]:
            self.duplicate(row, (rec["_hash"], rec["_code"], rec.get("done_on")), "step")
        if rec.get("members"):
            rec["_members"] = self._members(ctx, row)
        if rec.get("approver") and rec["_branch"]:
            rec["_approver"] = self._approver(row)

    def _members(self, ctx, row) -> list[int]:
        """The party members named (contacts, sponsors): by name, first among those holding
        their relation in the applicant's branch, then among the members in the user's scope."""
        found = []
        branch = row.record.get("_branch")
        visible = PartyMember.objects.filter(left_on__isnull=True)
        if ctx.user is not None:
            visible = visible.filter(pk__in=scope.members(ctx.user, Action.VIEW).values("pk"))
        for name in filter(None, _SEPARATORS.split(row.record["members"])):
            pks = list(
                visible.filter(name=name, relation_party_organization=branch).values_list(
                    "pk", flat=True
                )
            ) or list(visible.filter(name=name).values_list("pk", flat=True))
            if len(pks) != 1:
                row.errors["members"] = (
                    _("No party member named %(name)s is in the ledger.")
                    if not pks
                    else _("Several party members are named %(name)s.")
                ) % {"name": name}
                return []
            found.append(pks[0])
        return found

    def _approver(self, row) -> PartyOrganization | None:
        """The committee named: one above the applicant's branch first (the service then
        judges its kind and authority), else any of that name (the service says it is not
        above the branch)."""
        name = cells.compact(row.record["approver"])
        branch = PartyOrganization.objects.get(pk=row.record["_branch"])
        named = PartyOrganization.objects.filter(name=name)
        found = named.filter(pk__in=higher_organization_ids(branch)).first() or named.first()
        if found is None:
            row.errors["approver"] = _("No party organization in the system is named %(name)s.") % {
                "name": name
            }
        return found

    # -- the replay ------------------------------------------------------------------------
    def order(self, row):
        rec = row.record
        day = rec["done_on"]
        return (day, procedure.step(rec["_code"], day).order)

    def _applicant(self, rec) -> Applicant | None:
        """The person's application in progress (or done), else their latest ended one."""
        applicants = list(
            Applicant.objects.filter(id_number_hash=rec["_hash"]).order_by("-applied_on", "-pk")
        )
        ongoing = [a for a in applicants if a.status != Applicant.Status.STOPPED]
        found = ongoing or applicants
        return found[0] if found else None

    def stored(self, ctx, row):
        rec = row.record
        applicant = self._applicant(rec)
        if applicant is None:
            return False
        if applicant.branch_id != rec["_branch"] and rec["_code"] == APPLICATION:
            return False  # another application, elsewhere: the service judges it
        steps = applicant.steps.filter(code=rec["_code"])
        if steps.filter(done_on=rec["done_on"]).exists():
            return True
        recorded = steps.order_by("done_on").first()
        if recorded is not None and not procedure.step(rec["_code"], rec["done_on"]).repeats:
            row.errors["done_on"] = _(
                "This step is already recorded for the applicant on %(day)s; an import does not "
                "change a recorded step (correct it on the applicant's page)."
            ) % {"day": recorded.done_on.isoformat()}
        return False

    def play(self, ctx, row):
        rec = row.record
        branch = PartyOrganization.objects.select_related("federation").get(pk=rec["_branch"])
        if rec["_code"] == APPLICATION:
            recruitment_services.register_applicant(
                {
                    "name": cells.compact(rec["name"]),
                    "id_number": rec["id_number"],
                    "applied_on": rec["done_on"],
                    "phone": rec.get("phone") or "",
                    "education": rec.get("education") or "",
                },
                branch=branch,
                actor=ctx.user,
                today=ctx.today,
            )
            return
        applicant = self._applicant(rec)
        if applicant is None or applicant.branch_id != branch.pk:
            row.errors["id_number"] = _(
                "No application of this person to this branch is recorded; an applicant's first "
                "row is their application (递交入党申请书)."
            )
            return
        if cells.compact(rec["name"]) != applicant.name:
            row.errors["name"] = _(
                "The name does not match the applicant with this ID number (%(name)s)."
            ) % {"name": applicant.name}
            return
        values = {k: rec[k] for k in STEP_FIELDS if rec.get(k) not in (None, "")}
        values["done_on"] = rec["done_on"]
        values["members"] = rec.get("_members") or []
        values["approver"] = rec.get("_approver")
        recruitment_services.record_step(
            applicant,
            rec["_code"],
            values,
            version=applicant.version,
            actor=ctx.user,
            today=ctx.today,
        )
