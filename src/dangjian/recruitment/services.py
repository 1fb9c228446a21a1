"""Every write of recruitment: registering an applicant, recording each step, stopping.

Each step is checked against the rulebook's ``recruitment.procedure`` in force on its date
(the order of the steps, the intervals, who may act) and refused with a Chinese message naming
the article when it fails; nothing is saved then. Admission makes the applicant a
probationary member through ``party.services`` (the one way members are created), 转正 makes
them a full member through the same services; the branch meeting's quorum and majority are
``orglife.quorum``'s, on the voting members of ``party.queries``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import crypto
from dangjian.core.audit import record_change, snapshot
from dangjian.core.concurrency import claim
from dangjian.core.errors import WorkflowError
from dangjian.core.validators import id_number_birth_date, id_number_gender, validate_id_number
from dangjian.orglife import quorum
from dangjian.party import services as party_services
from dangjian.party.models import PartyMember, PartyOrganization
from dangjian.party.queries import full_q, voting_members
from dangjian.recruitment import procedure
from dangjian.recruitment.models import Applicant, Step
from dangjian.recruitment.queries import (
    ADMITTED,
    CONFIRMED,
    Standing,
    higher_organization_ids,
    standing,
)
from dangjian.rulebook.periods import add_months

APPLICANT_FIELDS = ("name", "gender", "ethnicity", "phone", "education")
MEETINGS = ("admission_meeting", "full_meeting")
APPROVALS = ("pre_review", ADMITTED, CONFIRMED)


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _check_day(day: Any, today: datetime.date) -> datetime.date:
    if not isinstance(day, datetime.date):
        raise WorkflowError(_("The date is required."))
    if day > today:
        raise WorkflowError(_("The date %(day)s is in the future.") % {"day": day.isoformat()})
    return day


# -- applicants ------------------------------------------------------------------------------


@transaction.atomic
def register_applicant(
    data: dict, *, branch: PartyOrganization, actor, today: datetime.date | None = None
) -> Applicant:
    """Record an application (入党申请书) received by ``branch``: the first step.

    Refused: a missing name or application date, a date in the future or before the branch
    existed, an invalid ID number, an applicant under the minimum age on the application date
    (R-1, from the birth date in the ID number), a person already in the party ledger or
    already applying."""
    today = _today(today)
    name = (data.get("name") or "").strip()
    if not name:
        raise WorkflowError(_("The applicant's name is required."))
    applied_on = _check_day(data.get("applied_on"), today)
    if applied_on < branch.valid_from or (branch.valid_to and applied_on > branch.valid_to):
        raise WorkflowError(_("The party branch did not exist on the application date."))
    try:
        number = validate_id_number(data.get("id_number") or "")
    except ValidationError as exc:
        raise WorkflowError(" ".join(exc.messages)) from None
    birth = id_number_birth_date(number)
    federation = branch.federation
    minimum = int(procedure.value("min_age", day=applied_on, federation=federation))
    age = procedure.age_on(birth, applied_on)
    if age < minimum:
        raise WorkflowError(
            _(
                "On the application date (%(day)s) the applicant was %(age)d; an applicant must "
                "be at least %(min)d (%(article)s)."
            )
            % {
                "day": applied_on.isoformat(),
                "age": age,
                "min": minimum,
                "article": procedure.cite("application", applied_on),
            }
        )
    digest = crypto.blind_index(number)
    if PartyMember.objects.filter(id_number_hash=digest, left_on__isnull=True).exists():
        raise WorkflowError(_("This ID number belongs to a party member already in the ledger."))
    if Applicant.objects.filter(
        id_number_hash=digest,
        status__in=[Applicant.Status.ACTIVE, Applicant.Status.PROBATIONARY],
    ).exists():
        raise WorkflowError(_("This person already has an application in progress."))
    values = {k: data[k] for k in APPLICANT_FIELDS if data.get(k)}
    values.setdefault("gender", id_number_gender(number))
    applicant = Applicant.objects.create(
        branch=branch,
        id_number=number,
        birth_date=birth,
        applied_on=applied_on,
        **{**values, "name": name},
    )
    record_change(actor, applicant, None)
    _add_step(applicant, "application", applied_on, {"acted_by": name}, actor=actor)
    _refresh(applicant)
    return applicant


@transaction.atomic
def stop_applicant(
    applicant: Applicant, *, version, reason: str, actor, today: datetime.date | None = None
) -> Applicant:
    """The application ends (withdrawn, not accepted, cancelled): kept for the record."""
    if not (reason or "").strip():
        raise WorkflowError(_("Say why the application ends."))
    before = snapshot(applicant)
    applicant = claim(Applicant, applicant.pk, version)
    if applicant.status != Applicant.Status.ACTIVE:
        raise WorkflowError(_("Only an application in progress can be ended."))
    applicant.status = Applicant.Status.STOPPED
    applicant.save(update_fields=["status", "updated_at"])
    record_change(actor, applicant, before, note=reason.strip())
    return applicant


# -- steps -----------------------------------------------------------------------------------


def _add_step(applicant, code, day, values, *, actor, members=(), approver=None, data=None):
    rule = procedure.step(code, day)
    step = Step.objects.create(
        applicant=applicant,
        code=code,
        done_on=day,
        rule_version=procedure.version(day),
        article=rule.article,
        acted_by=(values.get("acted_by") or rule.actor)[:200],
        note=values.get("note") or "",
        approver=approver,
        data=data or {},
    )
    if members:
        step.members.set(members)
    record_change(actor, step, None)
    return step


def _refresh(applicant: Applicant) -> None:
    s = standing(applicant, datetime.date.max)
    last = None
    for rule in procedure.steps(applicant.applied_on):
        if not rule.decision and s.has(rule.code):
            last = rule
    applicant.last_step = last.code if last else ""
    applicant.stage = s.stage
    applicant.save(update_fields=["last_step", "stage", "updated_at"])


def _title(code: str, day: datetime.date) -> str:
    return procedure.step(code, day).title


@transaction.atomic
def record_step(
    applicant: Applicant,
    code: str,
    values: dict,
    *,
    version,
    actor,
    today: datetime.date | None = None,
) -> Step:
    """Record step ``code`` of ``applicant`` on ``values["done_on"]``.

    ``values``: ``done_on``; ``acted_by`` and ``note`` (words); per step ``members`` (the
    contact members, the sponsors), ``approver`` (the party committee), ``decided_by`` and
    ``method`` (activist), ``passed`` (political review), ``days`` / ``hours`` (training),
    ``present`` / ``yes_present`` / ``yes_written`` (branch meetings), ``months`` (extension).
    ``version`` is the applicant's version the user read (a concurrent step is a conflict).
    """
    today = _today(today)
    applicant = claim(Applicant.objects.select_related("branch__federation"), applicant.pk, version)
    day = _check_day(values.get("done_on"), today)
    try:
        rule = procedure.step(code, day)
    except KeyError:
        raise WorkflowError(_("Unknown recruitment step.")) from None
    s = standing(applicant, datetime.date.max)
    _check_order(s, rule, day, values)
    federation = applicant.branch.federation
    check = CHECKS.get(code)
    extra: dict[str, Any] = {"members": (), "approver": None, "data": {}}
    if check is not None:
        extra.update(check(s, day, values, federation) or {})
    extra["data"] = {
        **extra["data"],
        **_departure(code, day, values, federation),
        **_publicity(code, day, values, federation),
    }
    step = _add_step(applicant, code, day, values, actor=actor, **extra)
    before = snapshot(applicant)
    if code == ADMITTED:
        _admit(applicant, s, step, actor=actor)
    elif code == CONFIRMED:
        _confirm(applicant, step, actor=actor)
    _refresh(applicant)
    record_change(actor, applicant, before)
    return step


def _check_order(s: Standing, rule: procedure.StepRule, day: datetime.date, values: dict) -> None:
    """The steps in their order and dates (R-3): each after the one before it, not twice."""
    applicant = s.applicant
    closed = applicant.status == Applicant.Status.STOPPED or (
        applicant.status == Applicant.Status.FULL and rule.code != "archive"
    )
    if closed:
        raise WorkflowError(_("This application is closed: no step can be added."))
    rules = [r for r in procedure.steps(day) if not r.repeats and not r.decision]
    if rule.repeats or rule.decision:
        start, end = {
            "assessment": ("activist", "candidate"),
            "probation_assessment": (ADMITTED, CONFIRMED),
            "extension": (ADMITTED, "full_meeting"),
        }[rule.code]
        opened = s.first(start)
        if opened is None or s.has(end):
            raise WorkflowError(
                _("「%(step)s」 can be recorded only after 「%(start)s」 and before 「%(end)s」.")
                % {
                    "step": rule.title,
                    "start": _title(start, day),
                    "end": _title(end, day),
                }
            )
        previous = [opened.done_on, *(x.done_on for x in s.done.get(rule.code, []))]
    else:
        last = s.last(rule.code)
        # A political review that was not passed may be done again; no other step twice.
        again = rule.code == "political_review" and last is not None and not last.data.get("passed")
        if last is not None and not again:
            raise WorkflowError(_("「%(step)s」 is already recorded.") % {"step": rule.title})
        index = [r.code for r in rules].index(rule.code)
        missing = next((r for r in rules[:index] if not s.has(r.code)), None)
        if missing is not None:
            raise WorkflowError(
                _("Record 「%(missing)s」 first: the steps follow the order of %(document)s.")
                % {"missing": missing.title, "document": procedure.document(day)}
            )
        previous = [x.done_on for r in rules[:index] for x in s.done.get(r.code, [])[:1]]
        # A vote taken again comes after the meeting whose vote failed.
        previous += [x.done_on for x in s.failed.get(rule.code, [])]
    latest = max(previous, default=applicant.applied_on)
    if day < latest:
        raise WorkflowError(
            _("「%(step)s」 cannot be dated %(day)s, before the previous step (%(previous)s).")
            % {"step": rule.title, "day": day.isoformat(), "previous": latest.isoformat()}
        )


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


# -- admission and 转正: the party ledger's own services --------------------------------------


def _admit(applicant: Applicant, s: Standing, step: Step, *, actor) -> None:
    """The applicant becomes a probationary member: entered in the party ledger from the day of
    the branch meeting (入党日期), their 组织关系 in the branch from that day."""
    meeting = s.first("admission_meeting")
    assert meeting is not None  # the order of the steps: the meeting came before
    data = {
        "name": applicant.name,
        "gender": applicant.gender,
        "ethnicity": applicant.ethnicity,
        "birth_date": applicant.birth_date,
        "id_number": applicant.id_number,
        "phone": applicant.phone,
        "education": applicant.education,
        "joined_party_on": meeting.done_on,
        "relation_party_organization": applicant.branch,
        "relation_since": meeting.done_on,
    }
    note = _("Admitted as a probationary member (recruitment)")
    try:
        member, created = party_services.register_or_link_member(
            data, federation=applicant.branch.federation, actor=actor, note=note
        )
    except ValidationError as exc:
        raise WorkflowError(" ".join(exc.messages)) from None
    if not created:
        raise WorkflowError(_("This ID number belongs to a party member already in the ledger."))
    applicant.member = member
    applicant.status = Applicant.Status.PROBATIONARY
    applicant.save(update_fields=["member", "status", "updated_at"])


def _confirm(applicant: Applicant, step: Step, *, actor) -> None:
    """转正: full membership dated the day the probation ends (R-15), whatever the approval's
    date; through the party ledger's service."""
    end = standing(applicant, datetime.date.max).probation_end
    if applicant.member is None or end is None:
        raise WorkflowError(_("The applicant has not been admitted."))
    party_services.update_member(
        applicant.member,
        {"full_member_on": end},
        actor=actor,
        note=_("Full membership approved (recruitment)"),
    )
    applicant.status = Applicant.Status.FULL
    applicant.save(update_fields=["status", "updated_at"])
