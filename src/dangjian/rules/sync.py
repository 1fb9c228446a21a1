"""One rule's candidates of one run written into its findings, their runs of observations
(``rules.runs``) and their status history (``Engine._write``, a transaction per rule — in the
run's thread, or on PostgreSQL in the worker that evaluated the rule; the rules of opening,
resolving, reopening and replaying the past are in ``rules.engine``'s docstring).
Every write is in bulk (``core.bulk``); findings are read as plain rows, never as models."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone

from dangjian.core import bulk as core_bulk
from dangjian.core.sql import chunks
from dangjian.rules.models import Finding, FindingObservation, FindingStatusChange
from dangjian.rules.registry import Candidate, Context
from dangjian.rules.runs import COLUMNS, DAY, Run, RunEdits, runs_near

if TYPE_CHECKING:
    from dangjian.rules.engine import Engine, RuleResult

ROW_FIELDS = (
    "id",
    "subject_key",
    "period_key",
    "status",
    "fingerprint",
    "first_seen",
    "last_seen",
    "resolved_on",
    "explanation",
    "severity",
    "federation_id",
    "period_start",
)
NEW_FINDING_FIELDS = (
    "created_at",
    "updated_at",
    "rule_id",
    "rule_revision",
    "federation_id",
    "organization_id",
    "party_organization_id",
    "subject_key",
    "period_start",
    "period_end",
    "period_key",
    "severity",
    "evidence",
    "explanation",
    "fingerprint",
    "first_seen",
    "last_seen",
    "status",
    "status_changed_at",
    "resolved_on",
    "dismissed_reason",
    "version",
)
STATUS_CHANGE_FIELDS = (
    "finding_id",
    "at",
    "actor_name",
    "from_status",
    "to_status",
    "reason",
    "as_of",
)
S = Finding.Status
# Findings given the same values by a run are updated by one statement (per 500) from this
# many on; fewer, one statement each (a statement per distinct value would be more).
SAME_VALUES = 20


def _rows(qs: QuerySet[Finding]) -> dict[tuple[str, str], dict[str, Any]]:
    """Findings as plain rows by (subject, period) (no model instances: a run may hold 10^5)."""
    return {
        (row[1], row[2]): dict(zip(ROW_FIELDS, row, strict=True))
        for row in qs.values_list(*ROW_FIELDS)
    }


def _subject_order(c: Candidate) -> tuple[int, int, str]:
    return (c.organization_id or 0, c.party_organization_id or 0, c.period_key)


class FindingsSync:
    """One rule's candidates of one run written into its findings, their observations and
    their status history (every write in bulk; see the module's docstring for the rules)."""

    def __init__(
        self,
        engine: Engine,
        rule_id: str,
        contexts: list[Context],
        result: RuleResult,
        todays: dict[int, datetime.date],
    ) -> None:
        self.rule_id, self.contexts, self.result = rule_id, contexts, result
        self.as_of = engine.as_of
        self.todays = todays
        self.fed_ids = {f.pk for f in engine.federations}
        self.severity = contexts[0].revision.severity if contexts else "warning"
        self.revision_of = contexts[0].revision.effective_from if contexts else None
        self.now = timezone.now()
        self.changes: dict[int, dict[str, Any]] = {}  # finding id → {field: value}
        self.runs = RunEdits(self.as_of, self.now, self._severity)
        self.status_changes: list[tuple[int, str, str]] = []  # (finding id, from, to)
        self.found_before = 0

    def past(self, federation_id: int) -> bool:
        """A replay of the past for this federation: a later day was evaluated already."""
        today = self.todays.get(federation_id)
        return today is not None and self.as_of < today

    def run(
        self,
        candidates: list[Candidate],
        only: frozenset[int] | None = None,
        subject: str | None = None,
    ) -> None:
        """``only``: the subjects judged (an incremental run: party organizations or units, as
        ``subject`` says); the other findings are left as they are."""
        rule_id, as_of = self.rule_id, self.as_of
        keys = {(c.subject_key, c.period_key) for c in candidates}
        ours = Finding.objects.filter(rule_id=rule_id, federation_id__in=self.fed_ids)
        if only is None:
            existing = _rows(ours)
        else:
            existing = {}
            subjects = [
                Finding.subject_key_for(pk, None)
                if subject == "organization"
                else Finding.subject_key_for(None, pk)
                for pk in sorted(only)
            ]
            for chunk in chunks(subjects, 500):
                existing.update(_rows(ours.filter(subject_key__in=chunk)))
        # A finding moved to another federation (the unit changed federations) is still the
        # same finding: look the missing keys up globally — unless, in a whole run, the rule
        # has no finding besides those read (every one of the run's federations is): one
        # count instead of a lookup per 500 new findings (27 at 100,000 units from empty).
        missing = {k[0] for k in keys if k not in existing}
        if (
            missing
            and only is None
            and Finding.objects.filter(rule_id=rule_id).count() == len(existing)
        ):
            missing = set()
        for chunk in chunks(sorted(missing), 500):
            for key, found in _rows(
                Finding.objects.filter(rule_id=rule_id, subject_key__in=chunk)
            ).items():
                existing.setdefault(key, found)
        # The findings' runs of observations that contain the day or may be extended to it,
        # read by the findings' ids: an index probe of (finding, day) each. Not by a join on
        # the rule: on a new day the database's statistics may know none of the rows the
        # rules before this one just wrote, and PostgreSQL then compared every one of them
        # with every finding of the rule (seconds a rule at 4,000 findings, quadratic).
        observed = runs_near(
            [r["id"] for r in existing.values()],
            as_of,
            min([as_of - DAY, *(d for d in self.todays.values() if d < as_of)]),
        )
        # What the last run found among them (an incremental run's count of the others).
        self.found_before = sum(run.holds(as_of) for run in observed.values())
        new: list[Candidate] = []
        for c in candidates:
            row = existing.get((c.subject_key, c.period_key))
            if row is None:
                new.append(c)
                continue
            self.runs.found(row["id"], observed.get(row["id"]), c, self._before(row))
            self._seen(row, c)
        self._close(existing, keys, observed)
        self._create(new)
        self._write()

    def _severity(self, c: Candidate) -> str:
        return c.severity or self.severity

    def _before(self, row: dict[str, Any]) -> datetime.date | None:
        """The latest day the rule evaluated the finding's federation before this one."""
        today = self.todays.get(row["federation_id"])
        return today if today is not None and today < self.as_of else None

    def _seen(self, row: dict[str, Any], c: Candidate) -> None:
        """An existing finding found again on the day."""
        as_of, severity = self.as_of, self._severity(c)
        change: dict[str, Any] = {}
        if as_of < row["first_seen"]:
            change["first_seen"] = as_of
        if as_of >= row["last_seen"]:
            # The finding's own text is its latest observation's.
            if as_of > row["last_seen"]:
                change["last_seen"] = as_of
            if row["explanation"] != c.explanation or row["severity"] != severity:
                change |= {
                    "explanation": c.explanation,
                    "evidence": c.evidence,
                    "severity": severity,
                }
        today = not self.past(row["federation_id"]) and as_of >= row["last_seen"]
        if today:
            new_fact = c.fingerprint != row["fingerprint"]
            if new_fact:
                change["fingerprint"] = c.fingerprint
            if row["federation_id"] != c.federation_id:
                change["federation_id"] = c.federation_id
            status = row["status"]
            if (
                (status == S.RESOLVED and as_of > (row["resolved_on"] or as_of))
                or (status == S.DISMISSED and new_fact)
                or status == S.PAST
            ):
                change |= self._status(row["id"], status, S.OPEN)
                change["resolved_on"] = None
                self.result.reopened += 1
        if change:
            self.changes[row["id"]] = self.changes.get(row["id"], {}) | change
        else:
            self.result.unchanged += 1

    def _status(self, finding_id: int, before: str, after: str) -> dict[str, Any]:
        self.status_changes.append((finding_id, before, after))
        return {"status": after, "status_changed_at": self.now, "status_changed_by": None}

    def _close(
        self,
        existing: dict[tuple[str, str], dict[str, Any]],
        keys: set[tuple[str, str]],
        observed: dict[int, Run],
    ) -> None:
        """Findings of the checked scope not found on the day: their run of observations loses
        the day; today, an open one is resolved."""
        as_of = self.as_of
        checked = [ctx.checked_periods for ctx in self.contexts if ctx.checked_periods]
        for key, row in existing.items():
            if key in keys or row["federation_id"] not in self.fed_ids:
                continue
            start = row["period_start"]
            if checked and start is not None and not any(lo <= start <= hi for lo, hi in checked):
                continue
            self.runs.not_found(observed.get(row["id"]))
            if row["status"] not in Finding.OPEN_STATUSES or self.past(row["federation_id"]):
                continue
            if row["last_seen"] > as_of or row["first_seen"] > as_of:
                continue
            self.changes[row["id"]] = self._status(row["id"], row["status"], S.RESOLVED) | {
                "resolved_on": as_of
            }
            self.result.resolved += 1

    def _create(self, candidates: list[Candidate]) -> None:
        """New findings (open today; found in the past only on a replay), and their first
        observation: the finding's own severity, explanation and evidence, copied by the
        database from the rows just written (no ids read back, no JSON sent twice)."""
        if not candidates:
            return
        as_of, now = self.as_of, self.now
        # In subject order, whatever order the rule found them in (its reads are unordered:
        # ``kinds.base.party_orgs``): the worklist breaks ties by id, which must not hang on a
        # query plan's row order (it differs between the databases and from run to run).
        candidates = sorted(candidates, key=_subject_order)
        core_bulk.insert(
            Finding,
            list(NEW_FINDING_FIELDS),
            [
                (
                    now,
                    now,
                    self.rule_id,
                    self.revision_of,
                    c.federation_id,
                    c.organization_id,
                    c.party_organization_id,
                    c.subject_key,
                    c.period_start,
                    c.period_end,
                    c.period_key,
                    self._severity(c),
                    c.evidence_json,
                    c.explanation,
                    c.fingerprint,
                    as_of,
                    as_of,
                    S.PAST if self.past(c.federation_id) else S.OPEN,
                    now,
                    None,
                    "",
                    1,
                )
                for c in candidates
            ],
            encoded=("evidence",),  # ``Candidate.evidence_json``
        )
        # The rows of this run: its rule, its timestamp, first seen on its day (as the ids
        # used to be read back).
        new = (
            Finding.objects.filter(
                rule_id=self.rule_id,
                federation_id__in={c.federation_id for c in candidates},
                first_seen=as_of,
                created_at=now,
            )
            .order_by()
            .values_list(
                "pk", "first_seen", "last_seen", "severity", "explanation", "evidence", "created_at"
            )
        )
        select, params = new.query.sql_with_params()
        qn = connection.ops.quote_name
        # The first run of observations: the day alone (first seen = last seen = the day).
        columns = ", ".join(qn(f) for f in COLUMNS)  # attribute names = columns
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {qn(FindingObservation._meta.db_table)} ({columns}) {select}",  # noqa: S608
                params,
            )
        self.result.created = len(candidates)

    def _write(self) -> None:
        now, as_of = self.now, self.as_of
        self.runs.write()
        # The changes, grouped by the fields they set and, where many set the same values (a
        # new day's run moves every finding found again to the day), by those values: such a
        # group is one statement per 500 findings, the rest one short statement per finding.
        groups: dict[tuple[str, ...], list[int]] = {}
        for pk, change in self.changes.items():
            groups.setdefault(tuple(sorted(change)), []).append(pk)
        for fields, ids in groups.items():
            alike: dict[tuple[Any, ...], list[int]] = {}
            one_by_one: list[int] = []
            for pk in ids:
                values = tuple(self.changes[pk][f] for f in fields)
                try:
                    alike.setdefault(values, []).append(pk)
                except TypeError:  # the evidence (a dict): never alike
                    one_by_one.append(pk)
            for values, same in alike.items():
                if len(same) < SAME_VALUES:
                    one_by_one += same
                    continue
                for chunk in chunks(same, 500):
                    Finding.objects.filter(pk__in=chunk).update(
                        **dict(zip(fields, values, strict=True)),
                        updated_at=now,
                        version=F("version") + 1,
                    )
            core_bulk.update(
                Finding,
                [*fields, "updated_at"],
                ((pk, [*(self.changes[pk][f] for f in fields), now]) for pk in one_by_one),
                extra="version = version + 1",
            )
        core_bulk.insert(
            FindingStatusChange,
            list(STATUS_CHANGE_FIELDS),
            [(pk, now, "", before, after, "", as_of) for pk, before, after in self.status_changes],
        )
        if self.runs.gone:
            # A finding found in the past only exists by its observations.
            Finding.objects.filter(rule_id=self.rule_id, status=S.PAST).exclude(
                Exists(FindingObservation.objects.filter(finding=OuterRef("pk")))
            ).delete()
        self.result.updated = len(self.changes) - self.result.resolved
