"""A finding's observations as runs of days (``FindingObservation``: ``as_of`` to ``until``, the
same severity and explanation each day): what one rule's run for a day changes in them, and the
writes that make it so (for ``rules.sync``, inside its transaction).

For each finding judged on the day ``D`` the sync gives its run on or before ``D`` (the one with
the latest start, if it reaches back to the evaluation before ``D``) and either the candidate
found or nothing:

* found, in a run containing ``D`` with the same text: nothing;
* found, in a run containing ``D`` with another text: the run loses ``D`` (shortened, or split
  around ``D`` on a replay of the past) and ``D`` starts a run of its own;
* found, with the same text as a run that ended at the evaluation before ``D`` (the day before,
  or the latest day the rule evaluated the federation): the run is extended to ``D`` — the
  nightly run's usual case, one short update per finding, grouped;
* found otherwise: a new run of ``D`` alone;
* not found, in a run containing ``D``: the run loses ``D``.

Equal text stands for equal evidence, as elsewhere in the sync: the explanation carries every
number of the evidence, and reads the day as ``rules.asof``, so it does not change from
day to day while the facts stay the same.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection

from dangjian.core import bulk as core_bulk
from dangjian.core.sql import chunks
from dangjian.rules.models import FindingObservation
from dangjian.rules.registry import Candidate

DAY = datetime.timedelta(days=1)
COLUMNS = ("finding_id", "as_of", "until", "severity", "explanation", "evidence", "recorded_at")


@dataclass(frozen=True)
class Run:
    pk: int
    as_of: datetime.date
    until: datetime.date
    severity: str
    explanation: str

    def holds(self, day: datetime.date) -> bool:
        return self.as_of <= day <= self.until


def runs_near(finding_ids: list[int], day: datetime.date, since: datetime.date) -> dict[int, Run]:
    """Each finding's latest run starting on or before ``day`` among those ending on or after
    ``since`` (runs that ended earlier can neither contain ``day`` nor be extended to it)."""
    near: dict[int, Run] = {}
    for chunk in chunks(finding_ids, 500):
        rows = (
            FindingObservation.objects.filter(
                finding_id__in=chunk, as_of__lte=day, until__gte=since
            )
            .order_by("finding_id", "as_of")
            .values_list("finding_id", "pk", "as_of", "until", "severity", "explanation")
        )
        for finding_id, pk, as_of, until, severity, explanation in rows:
            # Ordered by start: the latest start wins.
            near[finding_id] = Run(pk, as_of, until, severity, explanation)
    return near


@dataclass
class RunEdits:
    """The day's edits to the runs of one rule's findings, collected, then written at once."""

    day: datetime.date
    now: datetime.datetime  # the sync's: when the day's runs were recorded
    # A candidate's severity: the rule's, unless the candidate sets its own.
    severity_of: Callable[[Candidate], str]
    new: list[tuple[int, Candidate]] = field(default_factory=list)
    extended: list[int] = field(default_factory=list)  # to end on D
    rewritten: list[tuple[int, Candidate]] = field(default_factory=list)  # run of D alone now
    ends: list[int] = field(default_factory=list)  # to end the day before D
    starts: list[int] = field(default_factory=list)  # to start the day after D
    copies: list[int] = field(default_factory=list)  # runs whose days after D go on alone
    gone: list[int] = field(default_factory=list)

    def found(
        self,
        finding_id: int,
        run: Run | None,
        c: Candidate,
        before: datetime.date | None,
    ) -> None:
        """``before``: the latest day the rule evaluated the finding's federation before this
        day (None: not known — this is a replay, or the first run)."""
        day = self.day
        same = run is not None and (run.severity, run.explanation) == (
            self.severity_of(c),
            c.explanation,
        )
        if run is not None and run.holds(day):
            if same:
                return
            if run.as_of == day:
                if run.until > day:
                    self.copies.append(run.pk)
                self.rewritten.append((run.pk, c))
                return
            self._without_day(run)
        elif run is not None and same and run.until in (day - DAY, before):
            self.extended.append(run.pk)
            return
        self.new.append((finding_id, c))

    def not_found(self, run: Run | None) -> None:
        if run is not None and run.holds(self.day):
            self._without_day(run)

    def _without_day(self, run: Run) -> None:
        day = self.day
        if run.as_of == run.until:
            self.gone.append(run.pk)
            return
        if run.until > day:
            if run.as_of == day:
                self.starts.append(run.pk)
                return
            self.copies.append(run.pk)
        self.ends.append(run.pk)

    def write(self) -> None:
        """Copies first (they keep the days after ``D`` of the runs about to lose it), then the
        shortened runs, then the day's new runs (no start collides: a run starting on ``D`` is
        rewritten in place, never joined by a new one)."""
        day, now = self.day, self.now
        self._copy_after(day)
        for ids, change in (
            (self.extended, {"until": day}),
            (self.ends, {"until": day - DAY}),
            (self.starts, {"as_of": day + DAY}),
        ):
            for chunk in chunks(ids, 500):
                FindingObservation.objects.filter(pk__in=chunk).update(**change)
        core_bulk.update(
            FindingObservation,
            ("until", "severity", "explanation", "evidence", "recorded_at"),
            (
                (pk, (day, self.severity_of(c), c.explanation, c.evidence, now))
                for pk, c in self.rewritten
            ),
        )
        for chunk in chunks(self.gone, 500):
            FindingObservation.objects.filter(pk__in=chunk).delete()
        core_bulk.insert(
            FindingObservation,
            list(COLUMNS),
            [
                (pk, day, day, self.severity_of(c), c.explanation, c.evidence, now)
                for pk, c in self.new
            ],
        )

    def _copy_after(self, day: datetime.date) -> None:
        """The days after ``D`` of each run in ``copies`` as a run of their own, copied by the
        database (the evidence is not read back). Replays of the past only: a few rows."""
        if not self.copies:
            return
        qn = connection.ops.quote_name
        table = qn(FindingObservation._meta.db_table)
        names = ", ".join(qn(c) for c in COLUMNS)  # attribute names = columns
        rest = ", ".join(qn(c) for c in COLUMNS[2:])
        with connection.cursor() as cursor:
            for chunk in chunks(self.copies, 500):
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"INSERT INTO {table} ({names}) SELECT {qn('finding_id')}, %s, {rest} "  # noqa: S608
                    f"FROM {table} WHERE {qn('id')} IN ({marks})",
                    [day + DAY, *chunk],
                )
