"""Recording a step of an applicant: checked against the rulebook's ``recruitment.procedure``
in force on its date — the order and dates of the steps (R-3), then the step's own checks —
and, for admission and 转正, the party ledger's services called."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.core.audit import record_change, snapshot
from dangjian.core.concurrency import claim
from dangjian.core.errors import WorkflowError
from dangjian.recruitment import procedure
from dangjian.recruitment.models import Applicant, Step
from dangjian.recruitment.queries import ADMITTED, CONFIRMED, Standing, standing
from dangjian.recruitment.services.admission import _admit, _confirm
from dangjian.recruitment.services.checks import CHECKS, _departure, _publicity
from dangjian.recruitment.services.common import _add_step, _check_day, _refresh, _today

# -- steps -----------------------------------------------------------------------------------


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
