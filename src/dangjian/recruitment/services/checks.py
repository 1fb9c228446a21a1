"""The checks of each step (``CHECKS``, by step code), and the departure (R-12) and publicity
(公示, R-18) checks run for every step: each refuses with a Chinese message naming the
article, or returns what the step records."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from dangjian.core.errors import WorkflowError
from dangjian.orglife import quorum
from dangjian.party.models import PartyMember, PartyOrganization
from dangjian.party.queries import full_q, voting_members
from dangjian.recruitment import procedure
from dangjian.recruitment.models import Step
from dangjian.recruitment.queries import ADMITTED, CONFIRMED, Standing, higher_organization_ids
from dangjian.rulebook.periods import add_months

# -- the checks of each step ---------------------------------------------------------------


def _members(values: dict) -> list[PartyMember]:
    found = values.get("members") or []
    ids = [m.pk if isinstance(m, PartyMember) else int(m) for m in found]
    return list(PartyMember.objects.filter(pk__in=ids))


def _full_members_named(
    values: dict, day: datetime.date, low: int, high: int, code: str, words: str
) -> dict:
    people = _members(values)
    if not low <= len(people) <= high:
        amount = str(low) if low == high else f"{low}–{high}"
        raise WorkflowError(
            _("%(words)s: %(amount)s full party members are needed, %(count)d given (%(article)s).")
            % {
                "words": words,
                "amount": amount,
                "count": len(people),
                "article": procedure.cite(code, day),
            }
        )
    # Full members on the day: party.queries' one definition (预备党员 are not).
    full = set(
        PartyMember.objects.filter(full_q(day), pk__in=[p.pk for p in people]).values_list(
            "pk", flat=True
        )
    )
    not_full = [p.name for p in people if p.pk not in full]
    if not_full:
        raise WorkflowError(
            _("%(words)s must be full party members on %(day)s; %(names)s is not (%(article)s).")
            % {
                "words": words,
                "day": day.isoformat(),
                "names": "、".join(not_full),
                "article": procedure.cite(code, day),
            }
        )
    return {"members": people}


def _activist(s, day, values, federation):
    deciders = procedure.value("activist_deciders", day=day, federation=federation)
    decided_by = values.get("decided_by") or ""
    if decided_by not in deciders:
        raise WorkflowError(
            _(
                "An activist is decided by the branch committee (or the general meeting where "
                "there is no committee) (%(article)s)."
            )
            % {"article": procedure.cite("activist", day)}
        )
    method = values.get("method") or ""
    if method not in METHODS:
        raise WorkflowError(
            _(
                "Say how the activist was put forward: recommended by party members or by the "
                "mass organizations (%(article)s)."
            )
            % {"article": procedure.cite("activist", day)}
        )
    return {"data": {"decided_by": decided_by, "method": method}}


METHODS = ("party_members", "mass_organization")


def _contacts(s, day, values, federation):
    low = int(procedure.value("contacts_min", day=day, federation=federation))
    high = int(procedure.value("contacts_max", day=day, federation=federation))
    return _full_members_named(values, day, low, high, "contacts", _("Contact members"))


def _candidate(s, day, values, federation):
    activist = s.first("activist")
    months = int(
        procedure.value("min_cultivation_months", day=activist.done_on, federation=federation)
    )
    earliest = add_months(activist.done_on, months)
    if day < earliest:
        raise WorkflowError(
            _(
                "A candidate for admission can be decided only after at least %(months)d months "
                "as an activist: from %(earliest)s (activist since %(since)s) (%(article)s)."
            )
            % {
                "months": months,
                "earliest": earliest.isoformat(),
                "since": activist.done_on.isoformat(),
                "article": procedure.cite("candidate", day),
            }
        )
    return {}


def _sponsors(s, day, values, federation):
    n = int(procedure.value("sponsors", day=day, federation=federation))
    return _full_members_named(values, day, n, n, "sponsors", _("Sponsors"))


def _political_review(s, day, values, federation):
    return {"data": {"passed": bool(values.get("passed"))}}


def _training(s, day, values, federation):
    days = _number(values.get("days"))
    hours = _number(values.get("hours"))
    min_days = int(procedure.value("training_min_days", day=day, federation=federation))
    min_hours = int(procedure.value("training_min_hours", day=day, federation=federation))
    if days < min_days and hours < min_hours:
        raise WorkflowError(
            _(
                "The training lasted %(days)s days and %(hours)s hours; at least %(min_days)d days "
                "or %(min_hours)d hours are needed (%(article)s)."
            )
            % {
                "days": days,
                "hours": hours,
                "min_days": min_days,
                "min_hours": min_hours,
                "article": procedure.cite("training", day),
            }
        )
    return {"data": {"days": days, "hours": hours}}


def _number(value) -> float:
    try:
        number = float(value or 0)
    except (TypeError, ValueError):
        raise WorkflowError(_("Enter a number.")) from None
    if number < 0:
        raise WorkflowError(_("Enter a number.")) from None
    return int(number) if number == int(number) else number


def _committee_review(s, day, values, federation):
    review = s.last("political_review")
    if review is None or not review.data.get("passed"):
        raise WorkflowError(
            _("The political review has not been passed (%(article)s).")
            % {"article": procedure.cite("political_review", day)}
        )
    return {}


def _approver(values: dict, s: Standing, code: str, day: datetime.date, federation) -> dict:
    given = values.get("approver")
    approver: PartyOrganization | None = (
        given
        if given is None or isinstance(given, PartyOrganization)
        else PartyOrganization.objects.filter(pk=given).first()
    )
    if approver is None:
        raise WorkflowError(_("Choose the party committee that decided."))
    kinds = procedure.value("approver_kinds", day=day, federation=federation)
    if approver.kind not in kinds:
        raise WorkflowError(
            _(
                "%(name)s is a %(kind)s: only a party committee with that authority may decide "
                "this, never a general branch or a branch (%(article)s)."
            )
            % {
                "name": approver.name,
                "kind": approver.get_kind_display(),
                "article": procedure.cite(code, day),
            }
        )
    if approver.pk not in higher_organization_ids(s.applicant.branch):
        raise WorkflowError(
            _("%(name)s is not a party organization above the applicant's branch.")
            % {"name": approver.name}
        )
    if not approver.is_valid_on(day):
        raise WorkflowError(_("That party organization did not exist on that date."))
    return {"approver": approver}


def _pre_review(s, day, values, federation):
    return _approver(values, s, "pre_review", day, federation)


def _meeting(code: str):
    def check(s, day, values, federation):
        branch = s.applicant.branch
        # The voting members on the day (full members holding their relation in the branch):
        # party.queries' definition, the one the branch's other general meetings use.
        expected = voting_members(branch, on=day).count()
        present = int(_number(values.get("present")))
        yes_present = int(_number(values.get("yes_present")))
        yes_written = int(_number(values.get("yes_written")))
        words = {
            "expected": expected,
            "present": present,
            "yes": yes_present + yes_written,
            "article": procedure.cite(code, day),
        }
        if present > expected or yes_present > present or yes_written > expected - present:
            raise WorkflowError(
                _(
                    "The figures do not add up: %(expected)d members with a vote, %(present)d "
                    "present, %(yes)d in favour (written votes only from those absent)."
                )
                % words
            )
        # A meeting short of its quorum, or a vote short of its majority, is recorded as it
        # happened with its outcome and the reason: the step is not passed, and a later
        # meeting may vote again.
        outcome, explanation = Step.PASSED, ""
        if not quorum.quorum_met(quorum.GENERAL, expected, present, day=day, federation=federation):
            words["needed"] = quorum.quorum_needed(
                quorum.GENERAL, expected, day=day, federation=federation
            )
            outcome = Step.INVALID
            explanation = (
                _(
                    "The branch meeting was not valid: %(present)d of the %(expected)d members "
                    "with a vote attended, at least %(needed)d must (%(article)s)."
                )
                % words
            )
        elif not quorum.resolution_passes(
            yes_present + yes_written, expected, day=day, federation=federation
        ):
            outcome = Step.FAILED
            explanation = (
                _(
                    "The resolution did not pass: %(yes)d votes in favour (written votes of absent "
                    "members included) of %(expected)d members with a vote; more than half are "
                    "needed (%(article)s)."
                )
                % words
            )
        data = {
            "expected": expected,
            "present": present,
            "yes_present": yes_present,
            "yes_written": yes_written,
            "outcome": outcome,
        }
        if explanation:
            data["explanation"] = explanation
        if code == "full_meeting":
            end = s.probation_end
            if end is not None and day < end:
                raise WorkflowError(
                    _(
                        "The probation ends on %(end)s: the branch meeting on full membership "
                        "cannot be held before then (%(article)s)."
                    )
                    % {"end": end.isoformat(), "article": procedure.cite(code, day)}
                )
        return {"data": data}

    return check


def _admission_approval(s, day, values, federation):
    result = _approver(values, s, ADMITTED, day, federation)
    meeting = s.first("admission_meeting")
    limit = procedure.months_after(meeting.done_on, "approval_max_months", federation=federation)
    if day > limit:
        raise WorkflowError(
            _(
                "Approval is due within %(months)d months of the branch meeting (%(meeting)s), at "
                "the latest %(limit)s; past that the admission must be discussed again "
                "(%(article)s)."
            )
            % {
                "months": procedure.value("approval_max_months", day=meeting.done_on),
                "meeting": meeting.done_on.isoformat(),
                "limit": limit.isoformat(),
                "article": procedure.cite(ADMITTED, day),
            }
        )
    return result


def _extension(s, day, values, federation):
    allowed = int(procedure.value("max_extensions", day=day, federation=federation))
    if len(s.done.get("extension", [])) >= allowed:
        raise WorkflowError(
            _("The probation can be extended only once (%(article)s).")
            % {"article": procedure.cite("extension", day)}
        )
    months = int(_number(values.get("months")))
    low = int(procedure.value("extension_min_months", day=day, federation=federation))
    high = int(procedure.value("extension_max_months", day=day, federation=federation))
    if not low <= months <= high:
        raise WorkflowError(
            _("An extension is of %(low)d to %(high)d months, not %(months)d (%(article)s).")
            % {
                "low": low,
                "high": high,
                "months": months,
                "article": procedure.cite("extension", day),
            }
        )
    return {"data": {"months": months}}


def _full_approval(s, day, values, federation):
    return _approver(values, s, CONFIRMED, day, federation)


def _departure(code, day, values, federation) -> dict:
    """R-12: a candidate leaving their unit or place within ``months`` of the branch meeting
    (the day itself included, by calendar months) is not accepted there."""
    leaving = values.get("planned_departure_on")
    if code != "admission_meeting" or not leaving:
        return {}
    months = procedure.departure_months(day, federation)
    limit = add_months(day, months)
    if leaving <= limit:
        raise WorkflowError(
            _(
                "The candidate plans to leave on %(leaving)s, within %(months)d months of the "
                "branch meeting (by %(limit)s): the admission is not handled here but where they "
                "go (rulebook recruitment.departure; source not verified)."
            )
            % {"leaving": leaving.isoformat(), "months": months, "limit": limit.isoformat()}
        )
    return {"planned_departure_on": leaving.isoformat()}


def _publicity(code, day, values, federation) -> dict:
    """R-18: the 公示 before 发展对象, 接收 or 转正 — required where the federation's rulebook
    lists the step, checked wherever one is recorded: the step comes after its last day
    (``workdays`` working days by ``core.workdays``; provisional when a year's schedule is not
    known, which the step keeps)."""
    if code not in procedure.PUBLICITY_STEPS:
        return {}
    start = values.get("publicity_from")
    n = procedure.publicity_workdays(day, federation)
    if not start:
        if procedure.publicity_required(code, day, federation):
            raise WorkflowError(
                _(
                    "A publicity period (公示) of %(n)d working days is required before this "
                    "step: record the day it began (rulebook recruitment.publicity)."
                )
                % {"n": n}
            )
        return {}
    end = procedure.publicity_end(start, federation=federation)
    if day <= end.day:
        message = _(
            "The publicity period (公示) begun on %(start)s lasts %(n)d working days, to "
            "%(end)s: the step can be recorded from the next day (rulebook "
            "recruitment.publicity)."
        ) % {"start": start.isoformat(), "n": n, "end": end.day.isoformat()}
        if end.provisional:
            message += _(
                " Provisional: the official holiday schedule of that year is not known yet."
            )
        raise WorkflowError(message)
    return {
        "publicity_from": start.isoformat(),
        "publicity_until": end.day.isoformat(),
        "publicity_provisional": end.provisional,
    }


CHECKS = {
    "activist": _activist,
    "contacts": _contacts,
    "candidate": _candidate,
    "sponsors": _sponsors,
    "political_review": _political_review,
    "training": _training,
    "committee_review": _committee_review,
    "pre_review": _pre_review,
    "admission_meeting": _meeting("admission_meeting"),
    ADMITTED: _admission_approval,
    "extension": _extension,
    "full_meeting": _meeting("full_meeting"),
    CONFIRMED: _full_approval,
}
