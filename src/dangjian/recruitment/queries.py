"""What the recruitment pages, the overdue rule and the member's file read: where an applicant
stands on a day (steps done, the next step, what is due and what is overdue), and a member's
recruitment events.

One definition of "due" serves the pipeline page and the rule ``recruitment.overdue``, so the
secretary sees exactly what the rule will flag.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.party import timeline
from dangjian.recruitment import procedure
from dangjian.recruitment.models import Applicant, Step
from dangjian.rulebook.periods import add_months

# The steps that make a person a probationary member, and a full one.
ADMITTED = "admission_approval"
CONFIRMED = "full_approval"


@dataclass(frozen=True)
class Due:
    """A step expected by ``due_on`` (the last day allowed) and not yet recorded."""

    code: str
    title: str
    due_on: datetime.date
    since: datetime.date  # the date the interval runs from
    article: str
    parameter: str  # the rulebook parameter giving the interval
    months: int
    # The latest day of all, where the rule sets one (approval: at most 6 months).
    hard_limit: datetime.date | None = None

    def overdue(self, day: datetime.date) -> bool:
        return day > self.due_on


@dataclass
class Standing:
    """An applicant on a day: the steps done by then (by code, in date order), the next step
    in the procedure, and what is due."""

    applicant: Applicant
    day: datetime.date
    done: dict[str, list[Step]] = field(default_factory=dict)
    # Branch meetings recorded whose vote was not valid or did not pass, by code.
    failed: dict[str, list[Step]] = field(default_factory=dict)
    next_step: procedure.StepRule | None = None
    dues: list[Due] = field(default_factory=list)

    def first(self, code: str) -> Step | None:
        steps = self.done.get(code)
        return steps[0] if steps else None

    def last(self, code: str) -> Step | None:
        steps = self.done.get(code)
        return steps[-1] if steps else None

    def has(self, code: str) -> bool:
        return bool(self.done.get(code))

    @property
    def overdue(self) -> list[Due]:
        return [d for d in self.dues if d.overdue(self.day)]

    @property
    def stage(self) -> str:
        """The stage the applicant is in: that of the last step of the procedure done."""
        last = None
        for rule in procedure.steps(self.day):
            if not rule.decision and self.has(rule.code):
                last = rule
        return last.stage if last else ""

    @property
    def extension_months(self) -> int:
        return sum(int(s.data.get("months") or 0) for s in self.done.get("extension", []))

    @property
    def probation_end(self) -> datetime.date | None:
        """预备期 end: the admitting branch meeting + the probation (+ the extension)."""
        meeting = self.first("admission_meeting")
        if meeting is None or not self.has(ADMITTED):
            return None
        months = int(
            procedure.value("probation_months", day=meeting.done_on, federation=self._federation)
        )
        return add_months(meeting.done_on, months + self.extension_months)

    @property
    def _federation(self):
        return self.applicant.branch.federation


def _steps_by_code(
    steps: Iterable[Step], day: datetime.date
) -> tuple[dict[str, list[Step]], dict[str, list[Step]]]:
    """The steps recorded by ``day``, by code: those done, and the branch meetings whose vote
    failed (not done: a later vote may be recorded)."""
    done: dict[str, list[Step]] = {}
    failed: dict[str, list[Step]] = {}
    for s in sorted(steps, key=lambda s: (s.done_on, s.pk or 0)):
        if s.done_on <= day:
            (done if s.is_passed else failed).setdefault(s.code, []).append(s)
    return done, failed


def standing(applicant: Applicant, day: datetime.date | None = None) -> Standing:
    """Where ``applicant`` stands on ``day`` (today). Reads ``applicant.steps`` (prefetch them
    for a list: ``with_steps``)."""
    day = day or timezone.localdate()
    done, failed = _steps_by_code(applicant.steps.all(), day)
    result = Standing(applicant, day, done, failed)
    federation = applicant.branch.federation
    rules = procedure.steps(day)
    if applicant.status != Applicant.Status.STOPPED:
        result.next_step = next(
            (r for r in rules if not r.repeats and not r.decision and not result.has(r.code)),
            None,
        )
    result.dues = [] if applicant.status == Applicant.Status.STOPPED else _dues(result, federation)
    return result


def _due(code: str, since: datetime.date, parameter: str, federation, hard: str = "") -> Due:
    months = int(procedure.value(parameter, day=since, federation=federation))
    rule = procedure.step(code, since)
    return Due(
        code=code,
        title=rule.title,
        due_on=add_months(since, months),
        since=since,
        article=procedure.cite(code, since),
        parameter=parameter,
        months=months,
        hard_limit=procedure.months_after(since, hard, federation=federation) if hard else None,
    )


def _dues(s: Standing, federation) -> list[Due]:
    dues: list[Due] = []
    applied = s.first("application")
    if applied is None:
        return dues
    if not s.has("talk"):
        dues.append(_due("talk", applied.done_on, "talk_within_months", federation))
    activist = s.first("activist")
    if activist is not None and not s.has("candidate"):
        assessed = s.last("assessment")
        since = assessed.done_on if assessed else activist.done_on
        dues.append(_due("assessment", since, "assessment_interval_months", federation))
    meeting = s.first("admission_meeting")
    if meeting is not None and not s.has(ADMITTED):
        dues.append(
            _due(ADMITTED, meeting.done_on, "approval_months", federation, "approval_max_months")
        )
    end = s.probation_end
    if end is not None and not s.has("full_meeting"):
        dues.append(_due("full_meeting", end, "full_meeting_within_months", federation))
    full = s.first("full_meeting")
    if full is not None and not s.has(CONFIRMED):
        dues.append(_due(CONFIRMED, full.done_on, "full_approval_months", federation))
    return dues


def with_steps(qs: QuerySet[Applicant]) -> QuerySet[Applicant]:
    return qs.select_related("branch__federation").prefetch_related(
        Prefetch("steps", queryset=Step.objects.order_by("done_on", "pk"))
    )


def in_progress(qs: QuerySet[Applicant]) -> QuerySet[Applicant]:
    """Applicants still on their way: not stopped, not yet full members."""
    return qs.filter(status__in=[Applicant.Status.ACTIVE, Applicant.Status.PROBATIONARY])


def pipeline(qs: QuerySet[Applicant], day: datetime.date | None = None) -> list[Standing]:
    """Each applicant of ``qs`` in progress, where they stand on ``day``."""
    day = day or timezone.localdate()
    return [standing(a, day) for a in with_steps(in_progress(qs))]


def stage_counts(standings: Iterable[Standing]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for s in standings:
        counts[s.stage] = counts.get(s.stage, 0) + 1
    return counts


@dataclass(frozen=True)
class PipelineFigures:
    """The dashboard's recruitment figures on a day: applicants per stage (the procedure's
    stages in order, as ``(code, title, count)``), and the overdue steps and the applicants
    with one (``Standing.overdue``, the rule ``recruitment.overdue``'s definition)."""

    stages: list[tuple[str, str, int]]
    in_progress: int
    overdue_steps: int
    overdue_applicants: int


def pipeline_figures(qs: QuerySet[Applicant], day: datetime.date) -> PipelineFigures:
    """Of ``qs``, the applicants on their way on ``day``: applied by then and not yet full
    members that day (转正 approved later, or not yet). An ended application is left out on
    every day: the day it ended is not recorded. Two queries whatever the number."""
    rows = with_steps(qs.filter(applied_on__lte=day).exclude(status=Applicant.Status.STOPPED))
    standings = [st for st in (standing(a, day) for a in rows) if not st.has(CONFIRMED)]
    order = procedure.stages(day)
    first = order[0][0] if order else ""
    counts = stage_counts(standings)
    counts[first] = counts.get(first, 0) + counts.pop("", 0)
    return PipelineFigures(
        stages=[(code, title, counts.get(code, 0)) for code, title in order],
        in_progress=len(standings),
        overdue_steps=sum(len(st.overdue) for st in standings),
        overdue_applicants=sum(1 for st in standings if st.overdue),
    )


def higher_organization_ids(branch) -> list[int]:
    """The party organizations above ``branch``, nearest first (who may pre-review and approve
    is one of them, of a kind the rulebook allows)."""
    ids: list[int] = []
    current = branch
    while current.parent_id is not None and current.parent_id not in ids:
        ids.append(current.parent_id)
        current = current.parent
    return ids


# -- the member's file -----------------------------------------------------------------------


def timeline_entries(member, as_of: datetime.date) -> list[timeline.Entry]:
    """The recruitment steps of ``member`` (the applicant they were) recorded on or before
    ``as_of``, oldest first: the application, each step with its article, 入党 and 转正 — a
    source of the member's file (``party.timeline``, registered in ``apps.py``)."""
    applicant = Applicant.objects.filter(member=member).first()
    if applicant is None:
        return []
    entries = []
    for s in applicant.steps.filter(done_on__lte=as_of).order_by("done_on", "pk"):
        rule = procedure.step(s.code, s.done_on)
        outcome = "" if s.is_passed else f"：{s.outcome_label}"
        entries.append(
            timeline.Entry(
                s.done_on,
                str(_("recruitment")),
                f"{rule.title}{outcome}（《{procedure.document(s.done_on)}》{s.article}）",
                "recruitment",
            )
        )
    return entries
