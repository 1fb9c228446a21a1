"""A rule's parameters as the rulebook page shows them: a Chinese label and the value in words
for each, with the key beside it for whoever writes a federation's override (which names the
keys)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core import money
from dangjian.dues.models import Category
from dangjian.orglife.models import Meeting
from dangjian.party.models import PartyOrganization
from dangjian.registry.models import Organization
from dangjian.rules.models import Severity

LABELS = {
    "min_full_members": gettext_lazy("full members, at least"),
    "max_full_members": gettext_lazy("full members, at most"),
    "max_units": gettext_lazy("units a joint branch covers, at most"),
    "min_committee_posts": gettext_lazy("committee members needed"),
    "branch_max_members": gettext_lazy("members of a branch, at most"),
    "committee_min_members": gettext_lazy("members for a party committee, at least"),
    "branch_term_years": gettext_lazy("term of a branch (years)"),
    "committee_term_years": gettext_lazy("term of a party committee (years)"),
    "max_extension_years": gettext_lazy("extension, at most (years)"),
    "grace_days": gettext_lazy("days of grace"),
    "lookback_years": gettext_lazy("earlier years checked again"),
    "requirements": gettext_lazy("required meetings"),
    "no_orglife_months": gettext_lazy("months without organizational life"),
    "secretary_vacant_months": gettext_lazy("months of a vacant secretary post"),
    "min_full_members_single_unit": gettext_lazy("full members of a single-unit branch, at least"),
    "missing_report_years": gettext_lazy("years without an annual report"),
    "inactive_months": gettext_lazy("months without activity"),
    "report_due_to_supervisor": gettext_lazy("annual report due to the supervising unit by"),
    "report_due_to_registrar": gettext_lazy("annual report due to the registration authority by"),
    "exempt_registered_within_months": gettext_lazy("exempt when registered within (months)"),
    "min_registered_years": gettext_lazy("years registered, at least"),
    "valid_years": gettext_lazy("years a grade is valid"),
    "applies_to_legal_forms": gettext_lazy("applies to"),
    "no_record_severity": gettext_lazy("severity when nothing is recorded"),
    "reminder_months": gettext_lazy("reminders before the term ends (months)"),
    "election_quorum": gettext_lazy("an election is valid with members present"),
    "election_majority": gettext_lazy("elected with the votes of those present"),
    "general_meeting_quorum": gettext_lazy(
        "a general meeting is valid with voting members present"
    ),
    "resolution_majority": gettext_lazy("a resolution passes with the votes of the voting members"),
    "committee_quorum": gettext_lazy("a committee meeting is valid with committee members present"),
    "sign_in_opens_minutes_before": gettext_lazy("QR sign-in opens before the meeting (minutes)"),
    "valid_hours": gettext_lazy("an invitation is valid for (hours)"),
    # Notices (notices.receipts)
    "sign_working_days": gettext_lazy("signed within (working days)"),
    "feedback_working_days": gettext_lazy("task feedback within (working days)"),
    "urgent_sign_hours": gettext_lazy("urgent notices signed within (hours)"),
    "remind_hours_before": gettext_lazy("reminded before the deadline (hours)"),
    "remind_at_deadline": gettext_lazy("reminded again at the deadline"),
    "low_sign_rate_percent": gettext_lazy("a sign rate is low below (%)"),
    "count_by": gettext_lazy("members counted by"),
    # Party dues (dues.amounts, dues.arrears)
    "employed_bands": gettext_lazy("rates of employed members (monthly income after tax)"),
    "retired_bands": gettext_lazy("rates of retired members (monthly pension)"),
    "fixed_fen": gettext_lazy("fixed monthly amounts"),
    "rural_min_fen": gettext_lazy("farmers pay monthly at least"),
    "rural_max_fen": gettext_lazy("farmers pay monthly at most"),
    "back_payment_max_months": gettext_lazy("months a late payment may cover, at most"),
    "advance_max_months": gettext_lazy("months paid in advance, at most"),
    "months": gettext_lazy("consecutive months"),
    "lookback_months": gettext_lazy("months looked back"),
    # Transfers and members (transfers.overdue, members.lost_contact)
    "validity_days": gettext_lazy("an introduction letter is valid for (days)"),
    "receipt_months": gettext_lazy("its receipt returned within (months)"),
    "flowing_months": gettext_lazy("months away before registered as flowing"),
    "removal_review_months": gettext_lazy("months after suspension before removal is considered"),
    # A key that means something else in one rule: "rule id:key" wins over the key alone.
    "recruitment.departure:months": gettext_lazy(
        "no admission when leaving within (months of the meeting)"
    ),
    "recruitment.publicity:workdays": gettext_lazy("publicity period (working days)"),
    "recruitment.publicity:before": gettext_lazy("publicity required before"),
    "lookback_days": gettext_lazy("days of meetings checked"),
    "shingle_chars": gettext_lazy("characters per compared piece"),
    "threshold": gettext_lazy("similarity reported from"),
    "min_chars": gettext_lazy("minutes compared from (characters)"),
    "max_days": gettext_lazy("days after the meeting the record may be written"),
    "max_distance": gettext_lazy("bits two photos may differ in"),
    # Recruitment (recruitment.procedure)
    "version": gettext_lazy("rule set"),
    "document": gettext_lazy("regulation"),
    "min_age": gettext_lazy("age on application, at least"),
    "talk_within_months": gettext_lazy("talk within (months of the application)"),
    "contacts_min": gettext_lazy("contact members, at least"),
    "contacts_max": gettext_lazy("contact members, at most"),
    "activist_deciders": gettext_lazy("activists decided by"),
    "assessment_interval_months": gettext_lazy("activists assessed every (months)"),
    "min_cultivation_months": gettext_lazy("months as an activist before candidacy, at least"),
    "sponsors": gettext_lazy("sponsors (full members)"),
    "training_min_days": gettext_lazy("training, at least (days)"),
    "training_min_hours": gettext_lazy("or at least (hours)"),
    "approver_kinds": gettext_lazy("approved by"),
    "approval_months": gettext_lazy("approval within (months of the branch meeting)"),
    "approval_max_months": gettext_lazy("approval at the latest (months)"),
    "probation_months": gettext_lazy("probation (months)"),
    "max_extensions": gettext_lazy("extensions of the probation, at most"),
    "extension_min_months": gettext_lazy("extension, at least (months)"),
    "extension_max_months": gettext_lazy("extension, at most (months)"),
    "full_meeting_within_months": gettext_lazy(
        "branch meeting on full membership within (months of the probation's end)"
    ),
    "full_approval_months": gettext_lazy("full membership approved within (months)"),
    "stages": gettext_lazy("stages"),
    "steps": gettext_lazy("steps of the procedure"),
}
DECIDERS = {
    "branch_committee": gettext_lazy("the branch committee"),
    "general_meeting": gettext_lazy("the branch general meeting (no committee)"),
}
EVERY = {
    "month": gettext_lazy("monthly"),
    "quarter": gettext_lazy("quarterly"),
    "year": gettext_lazy("yearly"),
}


def rows(parameters: dict[str, Any], rule_id: str = "") -> list[tuple[str, str, str]]:
    """[(label, key, value in words)] in the rulebook's order."""
    return [
        (str(LABELS.get(f"{rule_id}:{k}", LABELS.get(k, k))), k, _words(k, v, rule_id))
        for k, v in parameters.items()
    ]


def _words(key: str, value: Any, rule_id: str = "") -> str:
    if rule_id == "recruitment.publicity" and key == "before" and isinstance(value, list):
        from dangjian.recruitment import procedure

        today = timezone.localdate()
        return "、".join(procedure.step(c, today).title for c in value) or _("no step")
    if key == "no_record_severity" and value in Severity.values:
        return str(Severity(value).label)
    if key == "applies_to_legal_forms" and isinstance(value, list):
        forms = Organization.LegalForm
        return "、".join(str(forms(v).label) if v in forms.values else str(v) for v in value)
    if key == "requirements" and isinstance(value, dict):
        return "；".join(_requirement(k, r) for k, r in value.items())
    if key.startswith("report_due_") and isinstance(value, str) and "-" in value:
        month, day = value.split("-", 1)
        return _("%(month)s/%(day)s") % {"month": int(month), "day": int(day)}
    if key == "activist_deciders" and isinstance(value, list):
        return "、".join(str(DECIDERS.get(v, v)) for v in value)
    if key == "approver_kinds" and isinstance(value, list):
        kinds = PartyOrganization.Kind
        return "、".join(str(kinds(v).label) if v in kinds.values else str(v) for v in value)
    if key == "stages" and isinstance(value, list):
        return "；".join(f"{i}. {s.get('title_zh', '')}" for i, s in enumerate(value, 1))
    if key == "steps" and isinstance(value, list):
        return "；".join(
            f"{i}. {s.get('title_zh', '')}（{s.get('article', '')}）"
            for i, s in enumerate(value, 1)
        )
    if isinstance(value, dict) and "share" in value:
        words = _("more than %(share)s") if value.get("strict") else _("at least %(share)s")
        return words % {"share": value["share"]}
    if key.endswith("_bands") and isinstance(value, list):
        return "；".join(_band(upper, rate) for upper, rate in value)
    if key == "fixed_fen" and isinstance(value, dict):
        categories = Category
        return "；".join(
            f"{categories(k).label if k in categories.values else k} {_yuan(v)}"
            for k, v in value.items()
        )
    if key.endswith("_fen") and isinstance(value, int):
        return _yuan(value)
    if key == "count_by" and isinstance(value, str):
        from dangjian.rules.kinds.base import BASIS_ZH  # the counting bases' words, one home

        return str(BASIS_ZH.get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list) and all(isinstance(v, int | str) for v in value):
        return "、".join(str(v) for v in value)
    return str(value)


def _band(upper: int | None, rate_bp: int) -> str:
    rate = f"{rate_bp / 100:g}%"
    if upper is None:
        return _("above: %(rate)s") % {"rate": rate}
    return _("up to %(upper)s: %(rate)s") % {"upper": _yuan(upper), "rate": rate}


def _yuan(fen: int) -> str:
    return _("%(amount)s yuan") % {"amount": money.yuan(fen)}


def _requirement(kind: str, requirement: Any) -> str:
    name = Meeting.Kind(kind).label if kind in Meeting.Kind.values else kind
    if not isinstance(requirement, dict):
        return f"{name}：{requirement}"
    kinds = PartyOrganization.Kind
    applies = "、".join(
        str(kinds(k).label) if k in kinds.values else str(k)
        for k in requirement.get("applies_to", [])
    )
    every = EVERY.get(requirement.get("period", ""), requirement.get("period", ""))
    needs = _("where a committee exists") if requirement.get("needs_committee") else ""
    return f"{name}：{every}（{applies}{'，' + needs if needs else ''}）"
