"""Recurring duties (LIFECYCLE.md N-8): a task per cycle, generated from a ``Duty``.

A duty of year Y with a monthly, quarterly or yearly cycle has the cycles of Y. On a day of Y,
``generate_due`` creates and publishes the task of the cycle the day falls in, unless that
cycle's task exists (any status: a withdrawn task is not sent again), so it may run any number
of times (``dangjian nightly`` runs it every night). A cycle already ended before the duty
was set up gets no task: the expected-against-actual figures show it as missing.

The task's signing deadline is the usual window (``services.default_deadline``); its feedback
is due at the end of the cycle (or at the signing deadline when the cycle ends sooner).

A duty is set up, changed and ended on its pages (``create_duty``, ``update_duty``,
``end_duty``, each audited). A task already sent is frozen as every published notice is (N-4):
a change applies from the next task generated — the next cycle's, or the current cycle's when
its task was not sent yet. So that the cycles stay comparable, the cycle and the year cannot
change once a task was generated (end the duty and set up a new one). An ended duty generates
nothing more; its tasks already sent stay open until answered or withdrawn.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.audit import record_change, record_event, snapshot
from dangjian.core.errors import WorkflowError
from dangjian.core.events import AuditEvent
from dangjian.notices import queries, services
from dangjian.notices.models import Duty, Notice, Receipt
from dangjian.rulebook.periods import add_months


@dataclass(frozen=True)
class Cycle:
    key: str  # "2026-03", "2026-Q1", "2026"
    first: datetime.date
    last: datetime.date

    @property
    def label(self) -> str:
        return self.key


def cycles(cycle: str, year: int) -> list[Cycle]:
    """The cycles of ``year``, in order."""
    if cycle == Duty.Cycle.YEAR:
        return [Cycle(str(year), datetime.date(year, 1, 1), datetime.date(year, 12, 31))]
    step = 3 if cycle == Duty.Cycle.QUARTER else 1
    found = []
    for i, month in enumerate(range(1, 13, step), start=1):
        first = datetime.date(year, month, 1)
        last = add_months(first, step) - datetime.timedelta(days=1)
        key = f"{year}-Q{i}" if step == 3 else f"{year}-{month:02d}"
        found.append(Cycle(key, first, last))
    return found


def cycle_of(duty: Duty, day: datetime.date) -> Cycle | None:
    """The duty's cycle ``day`` falls in (None outside the duty's year)."""
    return next((c for c in cycles(duty.cycle, duty.year) if c.first <= day <= c.last), None)


def begun(duty: Duty, day: datetime.date) -> list[Cycle]:
    """The duty's cycles begun by ``day``."""
    return [c for c in cycles(duty.cycle, duty.year) if c.first <= day]


def _end_of_day(day: datetime.date) -> datetime.datetime:
    """The first moment after ``day`` (local time): "as of ``day``" is before it."""
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )


def _end_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59)))


# -- the duty's configuration: set up, changed, ended on its pages ---------------------------

DUTY_FIELDS = ("title", "body", "audience", "category", "expected_count", "cycle", "year")
# What may not change once a task was generated: the cycles' keys and count depend on them.
FIXED_ONCE_GENERATED = ("cycle", "year")


def _check_duty(values: dict[str, Any]) -> None:
    if values.get("audience") == Notice.Audience.CATEGORY and not values.get("category"):
        raise ValidationError({"category": _("Choose a category.")})
    if (values.get("expected_count") or 0) < 1:
        raise ValidationError(
            {"expected_count": _("The expected count per cycle must be at least 1.")}
        )


@transaction.atomic
def create_duty(
    *,
    federation: Any,
    party_organization: Any,
    values: dict[str, Any],
    organizations: Any = (),
    party_organizations: Any = (),
    actor: Any,
) -> Duty:
    """A recurring duty of ``federation``'s officers (``party_organization`` None) or of a party
    organization's secretary; its first task goes out with the next nightly run."""
    _check_duty(values)
    duty = Duty(
        federation=federation,
        party_organization=party_organization,
        **{f: values[f] for f in DUTY_FIELDS if f in values},
    )
    duty.category = duty.category or ""
    duty.body = duty.body or ""
    duty.save()
    services.set_targets(duty, organizations, party_organizations)
    record_change(actor, duty, None)
    return duty


def has_tasks(duty: Duty) -> bool:
    return Notice.objects.filter(duty=duty).exists()


@transaction.atomic
def update_duty(
    duty: Duty,
    values: dict[str, Any],
    *,
    organizations: Any = (),
    party_organizations: Any = (),
    actor: Any,
) -> Duty:
    """Change a duty: the tasks generated from now on carry the new values (those sent stay as
    sent). The cycle and the year are fixed once a task was generated."""
    duty = Duty.objects.select_for_update().get(pk=duty.pk)
    if not duty.active:
        raise WorkflowError(_("This recurring duty has ended: it can no longer be changed."))
    _check_duty(values)
    if has_tasks(duty):
        for name in FIXED_ONCE_GENERATED:
            if name in values and values[name] != getattr(duty, name):
                raise ValidationError(
                    {
                        name: _(
                            "Tasks were already generated: the cycle and the year cannot "
                            "change. End this duty and set up a new one."
                        )
                    }
                )
    before = snapshot(duty)
    for name in DUTY_FIELDS:
        if name in values:
            setattr(duty, name, values[name] if values[name] is not None else "")
    duty.save()
    services.set_targets(duty, organizations, party_organizations)
    record_change(actor, duty, before)
    return duty


@transaction.atomic
def end_duty(duty: Duty, *, actor: Any) -> Duty:
    """End (停用) a duty: no task is generated for it any more; those sent stay open."""
    duty = Duty.objects.select_for_update().get(pk=duty.pk)
    if not duty.active:
        raise WorkflowError(_("This recurring duty has already ended."))
    before = snapshot(duty)
    duty.active = False
    duty.save()
    record_change(actor, duty, before)
    record_event(actor, AuditEvent.DUTY_ENDED, duty)
    return duty


def with_last_task(duties: QuerySet[Duty]) -> QuerySet[Duty]:
    """Duties with ``last_task_id`` and ``last_task_period``: the latest task generated (its
    newest version), for the list page."""
    last = Notice.objects.filter(duty=OuterRef("pk")).order_by("-period", "-version_no", "-pk")
    return duties.annotate(
        last_task_id=Subquery(last.values("pk")[:1]),
        last_task_period=Subquery(last.values("period")[:1]),
    )


# -- generation -------------------------------------------------------------------------------


@transaction.atomic
def generate_task(duty: Duty, cycle: Cycle, now: datetime.datetime) -> Notice | None:
    """The task of ``duty`` for ``cycle``, published; None when it exists already."""
    duty = Duty.objects.select_for_update().get(pk=duty.pk)
    if Notice.objects.filter(duty=duty, period=cycle.key).exists():
        return None
    sign = services.default_deadline(now, urgent=False, federation=duty.federation)
    feedback = max(_end_of(cycle.last), sign)
    body = duty.body or duty.title
    expected = _("Expected per cycle: %(n)s times. Report when done, with the records.") % {
        "n": duty.expected_count
    }
    notice = services.create_notice(
        federation=duty.federation,
        party_organization=duty.party_organization,
        values={
            "kind": Notice.Kind.TASK,
            "title": f"{duty.title}（{cycle.label}）"[:200],
            "body": f"{body}\n{expected}",
            "sign_deadline": sign,
            "feedback_deadline": feedback,
            "audience": duty.audience,
            "category": duty.category,
        },
        organizations=duty.organizations.all(),
        party_organizations=duty.target_branches.all(),
        actor=None,
    )
    Notice.objects.filter(pk=notice.pk).update(duty=duty, period=cycle.key)
    # publish reads the row again: the notice returned carries its duty and cycle.
    notice = services.publish(notice, actor=None, now=now)
    record_event(None, AuditEvent.DUTY_TASKS_GENERATED, duty, period=cycle.key, notice=notice.pk)
    return notice


def generate_due(day: datetime.date, now: datetime.datetime | None = None) -> list[Notice]:
    """The tasks of the cycles ``day`` falls in, for every active duty of its year, that did
    not exist yet (published now). A duty whose targets resolve to nobody is skipped (and
    tried again the next night)."""
    now = now or timezone.now()
    made = []
    for duty in Duty.objects.filter(active=True, year=day.year).order_by("pk"):
        cycle = cycle_of(duty, day)
        if cycle is None:
            continue
        try:
            notice = generate_task(duty, cycle, now)
        except WorkflowError:
            continue
        if notice is not None:
            made.append(notice)
    return made


@dataclass(frozen=True)
class Progress:
    """A duty's expected against actual, as of a day."""

    duty: Duty
    cycles_begun: int
    tasks: int
    feedback_expected: int  # receipts of the published tasks
    feedback_submitted: int
    feedback_accepted: int


def progress(duties: QuerySet[Duty], day: datetime.date) -> list[Progress]:
    """Each duty's cycles begun by ``day`` against its tasks standing at the end of ``day``
    (published by then, not withdrawn or replaced by then), and their feedback expected
    against given and accepted by then (``queries``' receipt timestamps)."""
    until = _end_of_day(day)
    counts = {
        row["notice__duty"]: row
        for row in Receipt.objects.filter(
            queries.standing_q(until, "notice__"), notice__duty__in=duties
        )
        .order_by()
        .values("notice__duty")
        .annotate(
            tasks=Count("notice", distinct=True),
            expected=Count("pk"),
            submitted=Count("pk", filter=queries.submitted_q(until)),
            accepted=Count("pk", filter=queries.done_q(until)),
        )
    }
    rows = []
    for duty in duties.order_by("-year", "title", "pk"):
        c: dict[str, Any] = counts.get(duty.pk, {})
        rows.append(
            Progress(
                duty,
                len(begun(duty, day)),
                c.get("tasks", 0),
                c.get("expected", 0),
                c.get("submitted", 0),
                c.get("accepted", 0),
            )
        )
    return rows
