"""The engine: applies every rule of the rulebook to a federation subtree as of a day, and keeps
the findings table and its history in step with what it finds (idempotently).

Each rule *kind* (rules/kinds/) is a function ``(ctx) -> iterable[Candidate]`` built on
set-based queries; the engine loops over rules and over federations sharing the same
parameters, never over organizations. ``evaluate`` computes without writing; ``run`` also
synchronises the findings.

Every run records what it found on its day: one ``FindingObservation`` per (finding, as_of)
with that day's explanation, evidence and severity (rewritten by a rerun for the same day only
when its text changed, removed when the finding is no longer found that day). A finding's own
``last_seen``, explanation, evidence and severity are those of its latest observation.

Statuses move only for "today": the latest day evaluated for the finding's federation
(``RuleState.latest_as_of`` of the runs over it or a federation above it). A run for today or a
later day:

* a candidate without a row → a new open finding (first_seen = last_seen = as_of);
* an open finding seen again → last_seen moves forward; evidence and explanation refresh;
* an open finding not seen again (within the scope and window the run checked) → resolved,
  resolved_on = as_of;
* a resolved finding (or one found in the past only) seen again on a later day → reopened;
* a dismissed finding stays dismissed unless its fingerprint — the facts that decide it, not
  durations that grow by themselves — changed: that is a new fact, and it reopens.

A run for an earlier day (a replay of the past) records its observations and nothing else: it
opens, resolves and reopens nothing, and what it alone finds becomes a finding "found in the
past only" (``Finding.Status.PAST``), shown as of its dates and never in today's worklist. The
engine's status changes are written to ``FindingStatusChange`` with no actor (the system).

A rule whose inputs did not change since its last run over the same federation for the same
day is skipped (``RuleState``; the digests are ``rules.freshness``'s). Same inputs give the
same candidates, and the same candidates on the same day leave the findings as they are, so
skipping changes nothing. The kinds and their registry are ``rules.registry``'s.

**Incremental runs.** The journaled facts (``core.touch.JOURNALED``: their services mark each
change's subject in the journal) are left out of the digest. A rule whose other inputs did not
change since its last run for the same day reads the journal lines written since then
(``RuleState.journal``): none of a fact it reads (``registry.READS``) — skipped; the kind can
be restricted to a subject (``registry.SUBJECTS``: party organizations or units) — evaluated for
the subjects the touches can move alone (``registry.WIDEN``: the touched branches for
organizational life; the units they ever covered for dormancy; those branches and every branch
covering such a unit for the empty shell), with the subjects each context's kind pairs with
them (``registry.REACH``: the branches of the other meeting of a pair of near-duplicate
minutes, of reused photos or of overlapping attendance, of the members present at the touched
branches' meetings for lost contact) (``Context.only``), and only their findings are
synchronised;
anything else (a new day, a change to a fact outside the journal, ``core.touch.everything()``,
more than ``MAX_SUBJECTS`` subjects) — evaluated whole. Judging a subject reads only that
subject's facts, so its candidates are those a full run finds for it, and the findings of the
subjects left alone are those the full run would leave as they are
(``tests/rules/test_incremental.py`` replays random changes both ways and compares).
``follow_only`` evaluates only what can be evaluated incrementally and leaves the rest, state
untouched, to the next full run (``rules.tasks.follow_facts`` runs it after each recorded
change).
"""

from __future__ import annotations

import datetime
import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from dangjian.core import bulk as core_bulk
from dangjian.core import touch
from dangjian.core.sql import chunks
from dangjian.registry.models import Federation
from dangjian.rulebook import loader as rulebook_module
from dangjian.rulebook.loader import Rulebook
from dangjian.rules import parallel
from dangjian.rules.freshness import (
    code_version,
    digest,
    findings_state,
    findings_states,
    input_state,
)
from dangjian.rules.models import Finding, FindingObservation, FindingStatusChange, RuleState
from dangjian.rules.registry import (
    HEAVY,
    KINDS,
    KINDS_PERIODIC,
    MERGERS,
    PARAMETERS_ONLY,
    REACH,
    READS,
    SUBJECTS,
    WIDEN,
    Candidate,
    Context,
    load_kinds,
)


@dataclass
class RuleResult:
    rule_id: str
    candidates: list[Candidate] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    resolved: int = 0
    reopened: int = 0
    unchanged: int = 0
    skipped: bool = False  # inputs unchanged since the last run for the same day
    found_before: int = 0  # what the skipped rule found then
    # An incremental run: the party organizations judged again (None: the whole scope).
    subjects: frozenset[int] | None = None
    deferred: bool = False  # ``follow_only`` left it to the next full run

    @property
    def found(self) -> int:
        if self.skipped:
            return self.found_before
        if self.subjects is not None:  # the others' as before, these subjects' as now
            return self.found_before + len(self.candidates)
        return len(self.candidates)


# The most subjects an incremental evaluation takes; beyond, the rule is evaluated whole (one
# set-based pass is then the cheaper, and the IN lists stay short).
MAX_SUBJECTS = 2000
FULL = "full"
SKIP = "skip"


class Engine:
    def __init__(
        self,
        federation: Federation,
        as_of: datetime.date | None = None,
        *,
        book: Rulebook | None = None,
        rule_ids: list[str] | None = None,
    ) -> None:
        load_kinds()
        self.root = federation
        self.as_of = as_of or timezone.localdate()
        self.book = book or rulebook_module.load()
        # Entries of kind "parameters" only hold numbers other apps apply (e.g. grading).
        self.rule_ids = list(dict.fromkeys(rule_ids or [])) or [
            r for r in self.book.rule_ids() if self.book.latest(r).kind != PARAMETERS_ONLY
        ]
        # registry's Federation.subtree is not typed yet (another app's file); the second code
        # keeps this line clean once it is.
        self.federations = list(federation.subtree())  # type: ignore[no-untyped-call, unused-ignore]
        # Shared by the kinds of one run (base.cached → ``shared``): keyed by name and
        # parameters, one lock a key (rules are evaluated side by side: ``rules.parallel``).
        self.cache: dict[Any, Any] = {}
        self._locks: dict[tuple[Any, ...], threading.Lock] = {}
        self._locks_lock = threading.Lock()

    # -- parameters -----------------------------------------------------------------------
    def params_for(self, rule_id: str, federation_ids: list[int]) -> dict[str, Any]:
        revision = self.book.revision_on(rule_id, self.as_of) or self.book.latest(rule_id)
        feds = [f for f in self.federations if f.pk in set(federation_ids)] or self.federations
        return rulebook_module.parameter_groups(revision, feds[:1], self.as_of)[0][0]

    def contexts(self, rule_id: str) -> list[Context]:
        """One context per (revision, group of federations with equal parameters)."""
        revision = self.book.revision_on(rule_id, self.as_of)
        revisions = [revision] if revision else []
        first = self.book.revisions.get(rule_id, [None])[0]
        if first is not None and KINDS_PERIODIC.get(first.kind):
            # Period rules judge each period by the revision in force at its end: every
            # revision overlapping the window takes part.
            start = KINDS_PERIODIC[first.kind](first, self.as_of)
            revisions = self.book.revisions_between(rule_id, start, self.as_of)
        contexts: list[Context] = []
        for rev in revisions:
            for params, fed_ids in rulebook_module.parameter_groups(
                rev, self.federations, self.as_of
            ):
                contexts.append(Context(self, rev, params, fed_ids, self.as_of))
        return contexts

    # -- evaluation -----------------------------------------------------------------------
    def evaluate_rule(
        self, rule_id: str, only: frozenset[int] | None = None
    ) -> tuple[list[Candidate], list[Context]]:
        """The rule's candidates; ``only``: for these party organizations alone."""
        candidates: list[Candidate] = []
        contexts = self.contexts(rule_id)
        for ctx in contexts:
            ctx.only = only
            candidates.extend(KINDS[ctx.revision.kind](ctx))
        if len(contexts) > 1:
            by_key: dict[tuple[str, str], list[Candidate]] = {}
            for c in candidates:
                by_key.setdefault((c.subject_key, c.period_key), []).append(c)
            merger = MERGERS.get(contexts[0].revision.kind, _last)
            candidates = [cs[0] if len(cs) == 1 else merger(cs) for cs in by_key.values()]
        return candidates, contexts

    def evaluate(self) -> dict[str, list[Candidate]]:
        """Everything the rulebook finds, without writing anything."""
        return {rule_id: self.evaluate_rule(rule_id)[0] for rule_id in self.rule_ids}

    def run(
        self,
        progress: Callable[[str, int, int], None] | None = None,
        *,
        force: bool = False,
        follow_only: bool = False,
    ) -> list[RuleResult]:
        """Evaluate and synchronise every rule; ``force`` re-evaluates rules whose inputs did
        not change too (each whole); ``follow_only`` evaluates only what the journal allows
        to evaluate incrementally (see the module's docstring)."""
        if self.as_of > timezone.localdate():
            # Tomorrow's facts are not known: a run for a future day would become "today" and
            # freeze the worklist until that day.
            raise ValueError(f"as_of {self.as_of} is in the future")
        total = len(self.rule_ids)
        inputs = input_state()  # before anything is read: a later change re-evaluates
        journal = touch.latest()  # likewise: lines written from now on are read next time
        self._touched: dict[int, dict[str, set[touch.Subject]]] = {}
        passed: list[int] = []  # states of skipped rules, to move past the journal lines read
        states = {
            s.rule_id: s
            for s in RuleState.objects.filter(federation=self.root, rule_id__in=self.rule_ids)
        }
        todays = self._todays()
        findings_before = findings_states(self.rule_ids)
        # What each rule needs, decided before anything is evaluated (from the states, the
        # digests and the journal, which the writes of this run do not move): skipped, or
        # evaluated whole or for some subjects.
        plans: list[tuple[str, RuleState | None, str, str | frozenset[int]]] = []
        for rule_id in self.rule_ids:
            key = self._input_key(rule_id, inputs)
            state = states.get(rule_id)
            plan: str | frozenset[int] = FULL
            if (
                not force
                and state is not None
                and state.as_of == self.as_of
                and state.inputs == key
                and state.findings == findings_before[rule_id]
            ):
                plan = self._plan(rule_id, state.journal, journal)
            plans.append((rule_id, state, key, plan))
        done: dict[str, RuleResult] = {}
        for rule_id, state, _, plan in plans:
            if plan == SKIP:
                assert state is not None
                done[rule_id] = RuleResult(rule_id, skipped=True, found_before=state.found)
                if state.journal != journal:
                    passed.append(state.pk)
                if progress:
                    progress(rule_id, len(done) - 1, total)
        # The evaluations run side by side (``rules.parallel``) when two or more are whole;
        # each rule's findings are written as soon as its evaluation is done.
        planned = [p for p in plans if p[3] != SKIP]
        # (A follow run evaluates no rule whole: it leaves those to the next run.)
        whole = 0 if follow_only else sum(plan == FULL for *_, plan in planned)
        workers = parallel.workers_for(whole)
        if workers > 1:
            # A heavy kind's whole evaluation first (``registry.HEAVY``), the others in the
            # rulebook's order.
            planned.sort(key=lambda p: not (p[3] == FULL and self._heavy(p[0])))
        tasks = [
            functools.partial(self._evaluate_planned, rule_id, plan, follow_only)
            for rule_id, _, _, plan in planned
        ]
        for index, (only, evaluated) in parallel.as_done(tasks, workers):
            rule_id, state, key, _ = planned[index]
            if progress:
                progress(rule_id, len(done), total)
            if evaluated is None:
                done[rule_id] = RuleResult(rule_id, skipped=True, deferred=True)
                continue
            candidates, contexts = evaluated
            result = RuleResult(rule_id, candidates, subjects=only)
            latest = self.as_of
            if state is not None:
                latest = max(latest, state.latest_as_of or state.as_of)
            with transaction.atomic():
                sync = _Sync(self, rule_id, contexts, result, todays.get(rule_id, {}))
                sync.run(candidates, only, self._subject(rule_id))
                if only is not None:
                    assert state is not None
                    result.found_before = max(0, state.found - sync.found_before)
                RuleState.objects.update_or_create(
                    federation=self.root,
                    rule_id=rule_id,
                    defaults={
                        "as_of": self.as_of,
                        "latest_as_of": latest,
                        "inputs": key,
                        "findings": findings_state(rule_id),
                        "found": result.found,
                        "computed_at": timezone.now(),
                        "journal": journal,
                    },
                )
            done[rule_id] = result
        results = [done[rule_id] for rule_id in self.rule_ids]
        if passed:
            RuleState.objects.filter(pk__in=passed).update(journal=journal)
        if not follow_only:
            # The journal lines every rule state has read past are no longer needed.
            marks = RuleState.objects.aggregate(
                low=Min("journal"), unread=Count("pk", filter=Q(journal=None))
            )
            if marks["low"] and not marks["unread"]:
                touch.prune(marks["low"])
        if progress:
            progress("", total, total)
        return results

    def _evaluate_planned(
        self, rule_id: str, plan: str | frozenset[int], follow_only: bool
    ) -> tuple[frozenset[int] | None, tuple[list[Candidate], list[Context]] | None]:
        """(the subjects judged — None: all —, the rule's candidates and contexts — None: left
        to the next full run by ``follow_only``) of a rule that is not skipped."""
        only = self._reach(rule_id, plan) if isinstance(plan, frozenset) else None
        if follow_only and only is None:
            return None, None
        candidates, contexts = self.evaluate_rule(rule_id, only)
        for c in candidates:
            c.prepare()
        return only, (candidates, contexts)

    def shared(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """What several rules of the run read, computed once (``base.cached``): a rule
        evaluated beside another that is computing it waits for it."""
        with self._locks_lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self.cache:
                self.cache[key] = compute()
            return self.cache[key]

    def _plan(self, rule_id: str, after: int | None, upto: int) -> str | frozenset[int]:
        """What the journal lines since a rule's last run (same day, other inputs unchanged)
        ask of it: ``SKIP``, ``FULL``, or the party organizations to judge again."""
        if after is None:
            return FULL  # a state from before the journal
        if after not in self._touched:
            self._touched[after] = touch.since(after, upto)
        touched = self._touched[after]
        if touch.EVERYTHING in touched:
            return FULL
        kinds = {r.kind for r in self.book.revisions.get(rule_id, [])}
        facts = [
            fact for fact in touched if any(READS.get(k) is None or fact in READS[k] for k in kinds)
        ]
        if not facts:
            return SKIP
        if (
            not kinds
            or len({SUBJECTS.get(k) for k in kinds}) != 1
            or self._subject(rule_id) is None
        ):
            return FULL
        subjects = {s for fact in facts for s in touched[fact]}
        if len(subjects) > MAX_SUBJECTS:
            return FULL
        ids: set[int] = set()
        for k in kinds:
            widened = WIDEN[k](subjects)
            if widened is None:
                return FULL
            ids |= widened
        return frozenset(ids) if len(ids) <= MAX_SUBJECTS else FULL

    def _reach(self, rule_id: str, only: frozenset[int]) -> frozenset[int] | None:
        """``only`` and the subjects each context's kind pairs with them (``registry.REACH``:
        the other meeting of a pair), or None (evaluated whole)."""
        reached = set(only)
        for ctx in self.contexts(rule_id):
            reach = REACH.get(ctx.revision.kind)
            if reach is None:
                continue
            more = reach(ctx, only)
            if more is None:
                return None
            reached |= more
        return frozenset(reached) if len(reached) <= MAX_SUBJECTS else None

    def _heavy(self, rule_id: str) -> bool:
        return any(r.kind in HEAVY for r in self.book.revisions.get(rule_id, []))

    def _subject(self, rule_id: str) -> str | None:
        """What the rule's findings are about when it can be judged per subject
        (``registry.SUBJECTS``: "party_organization" or "organization")."""
        kinds = {r.kind for r in self.book.revisions.get(rule_id, [])}
        return SUBJECTS.get(next(iter(kinds))) if kinds else None

    def _todays(self) -> dict[str, dict[int, datetime.date]]:
        """{rule id: {federation id: today}} — for each federation of the subtree, the latest
        day a run of the rule evaluated it: runs over it or over a federation above it."""
        above = [int(p) for p in self.root.path.strip("/").split("/") if p]
        ids = {*above, *(f.pk for f in self.federations)}
        latest: dict[str, dict[int, datetime.date]] = {}
        for rule_id, fed_id, as_of, latest_as_of in RuleState.objects.filter(
            rule_id__in=self.rule_ids, federation_id__in=ids
        ).values_list("rule_id", "federation_id", "as_of", "latest_as_of"):
            latest.setdefault(rule_id, {})[fed_id] = max(filter(None, [as_of, latest_as_of]))
        todays: dict[str, dict[int, datetime.date]] = {}
        for rule_id, by_root in latest.items():
            for fed in self.federations:
                line = [int(p) for p in fed.path.strip("/").split("/") if p]
                days = [by_root[pk] for pk in line if pk in by_root]
                if days:
                    todays.setdefault(rule_id, {})[fed.pk] = max(days)
        return todays

    def _input_key(self, rule_id: str, inputs: str) -> str:
        """The ledger's state, the day, the federation subtree and the rulebook in force."""
        if "_book_digest" not in self.cache:
            book = [
                (r.rule_id, r.kind, r.severity, r.effective_from, r.effective_to, r.parameters)
                for revisions in self.book.revisions.values()
                for r in revisions
            ]
            self.cache["_book_digest"] = digest(
                [book, [f.pk for f in self.federations], code_version()]
            )
        return digest([inputs, self.cache["_book_digest"], rule_id, self.as_of])


# -- synchronising findings ---------------------------------------------------------------
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
OBSERVATION_FIELDS = ("finding_id", "as_of", "severity", "explanation", "evidence", "recorded_at")
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


def _rows(qs: QuerySet[Finding]) -> dict[tuple[str, str], dict[str, Any]]:
    """Findings as plain rows by (subject, period) (no model instances: a run may hold 10^5)."""
    return {
        (row[1], row[2]): dict(zip(ROW_FIELDS, row, strict=True))
        for row in qs.values_list(*ROW_FIELDS)
    }


class _Sync:
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
        self.new_observations: list[tuple[int, Candidate]] = []
        self.changed_observations: list[tuple[int, Candidate]] = []  # (observation id, …)
        self.stale_observations: list[int] = []
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
        # This day's observations of the rule (none on a new day: one index probe).
        observations = FindingObservation.objects.filter(as_of=as_of, finding__rule_id=rule_id)
        parts = (
            [observations]
            if only is None
            else [
                observations.filter(finding_id__in=chunk)
                for chunk in chunks([r["id"] for r in existing.values()], 500)
            ]
        )
        observed = {
            finding_id: (pk, severity, explanation)
            for part in parts
            for finding_id, pk, severity, explanation in part.values_list(
                "finding_id", "id", "severity", "explanation"
            )
        }
        # What the last run found among them (an incremental run's count of the others).
        self.found_before = sum(row["id"] in observed for row in existing.values())
        new: list[Candidate] = []
        for c in candidates:
            row = existing.get((c.subject_key, c.period_key))
            if row is None:
                new.append(c)
                continue
            self._observe(row["id"], c, observed.get(row["id"]))
            self._seen(row, c)
        self._close(existing, keys, observed)
        self._create(new)
        self._write()

    def _severity(self, c: Candidate) -> str:
        return c.severity or self.severity

    def _observe(
        self, finding_id: int, c: Candidate, observation: tuple[int, str, str] | None
    ) -> None:
        if observation is None:
            self.new_observations.append((finding_id, c))
        elif observation[1:] != (self._severity(c), c.explanation):
            # The explanation carries every number of the evidence: equal text, same evidence
            # (so the JSON need not be read back to compare).
            self.changed_observations.append((observation[0], c))

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
        observed: dict[int, tuple[int, str, str]],
    ) -> None:
        """Findings of the checked scope not found on the day: their observation of the day
        goes; today, an open one is resolved."""
        as_of = self.as_of
        checked = [ctx.checked_periods for ctx in self.contexts if ctx.checked_periods]
        for key, row in existing.items():
            if key in keys or row["federation_id"] not in self.fed_ids:
                continue
            start = row["period_start"]
            if checked and start is not None and not any(lo <= start <= hi for lo, hi in checked):
                continue
            if row["id"] in observed:
                self.stale_observations.append(observed[row["id"]][0])
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
            .values_list("pk", "first_seen", "severity", "explanation", "evidence", "created_at")
        )
        select, params = new.query.sql_with_params()
        qn = connection.ops.quote_name
        columns = ", ".join(qn(f) for f in OBSERVATION_FIELDS)  # attribute names = columns
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {qn(FindingObservation._meta.db_table)} ({columns}) {select}",  # noqa: S608
                params,
            )
        self.result.created = len(candidates)

    def _write(self) -> None:
        now, as_of = self.now, self.as_of
        core_bulk.insert(
            FindingObservation,
            list(OBSERVATION_FIELDS),
            [
                (pk, as_of, self._severity(c), c.explanation, c.evidence, now)
                for pk, c in self.new_observations
            ],
        )
        core_bulk.update(
            FindingObservation,
            ("severity", "explanation", "evidence", "recorded_at"),
            (
                (pk, (self._severity(c), c.explanation, c.evidence, now))
                for pk, c in self.changed_observations
            ),
        )
        # The changes, grouped by the fields they set (one statement each).
        groups: dict[tuple[str, ...], list[int]] = {}
        for pk, change in self.changes.items():
            groups.setdefault(tuple(sorted(change)), []).append(pk)
        for fields, ids in groups.items():
            core_bulk.update(
                Finding,
                [*fields, "updated_at"],
                ((pk, [*(self.changes[pk][f] for f in fields), now]) for pk in ids),
                extra="version = version + 1",
            )
        core_bulk.insert(
            FindingStatusChange,
            list(STATUS_CHANGE_FIELDS),
            [(pk, now, "", before, after, "", as_of) for pk, before, after in self.status_changes],
        )
        if self.stale_observations:
            for chunk in chunks(self.stale_observations, 500):
                FindingObservation.objects.filter(pk__in=chunk).delete()
            # A finding found in the past only exists by its observations.
            Finding.objects.filter(rule_id=self.rule_id, status=S.PAST).exclude(
                Exists(FindingObservation.objects.filter(finding=OuterRef("pk")))
            ).delete()
        self.result.updated = len(self.changes) - self.result.resolved


def _last(candidates: list[Candidate]) -> Candidate:
    """The default merger: the candidate of the latest revision."""
    return candidates[-1]


def run_rulebook(
    federation: Federation,
    as_of: datetime.date | None = None,
    *,
    progress: Callable[[str, int, int], None] | None = None,
    rule_ids: list[str] | None = None,
    force: bool = False,
) -> list[RuleResult]:
    return Engine(federation, as_of, rule_ids=rule_ids).run(progress, force=force)
