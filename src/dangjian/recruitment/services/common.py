"""What registering an applicant and recording a step share: today, a date checked, a step
saved with the rule it followed, and the applicant's last step and stage refreshed."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.audit import record_change
from dangjian.core.errors import WorkflowError
from dangjian.recruitment import procedure
from dangjian.recruitment.models import Applicant, Step
from dangjian.recruitment.queries import standing


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _check_day(day: Any, today: datetime.date) -> datetime.date:
    if not isinstance(day, datetime.date):
        raise WorkflowError(_("The date is required."))
    if day > today:
        raise WorkflowError(_("The date %(day)s is in the future.") % {"day": day.isoformat()})
    return day


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
