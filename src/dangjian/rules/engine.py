"""The engine: applies every rule of the rulebook to a federation subtree as of a day, and keeps
the findings table and its history in step with what it finds (idempotently).

Each rule *kind* (rules/kinds/) is a function ``(ctx) -> iterable[Candidate]`` built on
set-based queries; the engine loops over rules and over federations sharing the same
parameters, never over organizations. ``evaluate`` computes without writing; ``run`` also
synchronises the findings.

Every run records what it found on its day in the findings' runs of observations
(``FindingObservation``: the days from ``as_of`` to ``until`` on which the same explanation,
evidence and severity were found; ``rules.runs`` says how a day extends, starts, shortens or
splits them). A rerun for the same day changes them only when a text changed or a finding is
no longer found. A finding's own ``last_seen``, explanation, evidence and severity are those of
its latest observation; explanations read the day as ``rules.asof``, so the same facts
give the same text from one day to the next.

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
from django.db.models import Count, Min, Q
from django.utils import timezone

from dangjian.core import heap, touch
from dangjian.registry.models import Federation
from dangjian.rulebook import loader as rulebook_module
from dangjian.rulebook.loader import Rulebook
from dangjian.rules import coverage_kept, coverage_triggers, parallel
from dangjian.rules.coverage import Scope
from dangjian.rules.freshness import (
    code_version,
    digest,
    findings_state,
    findings_states,
    input_state,
)
from dangjian.rules.models import RuleState
from dangjian.rules.registry import (
    HEAVY,
    KEPT_COVERAGE,
    KINDS,
    KINDS_PERIODIC,
    MERGERS,
    PARAMETERS_ONLY,
    REACH,
    READS,
    SHARES,
    SUBJECTS,
    WIDEN,
    Candidate,
    Context,
    load_kinds,
)
from dangjian.rules.sync import FindingsSync


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
        self._params: dict[tuple[str, tuple[int, ...]], dict[str, Any]] = {}
        self._locks: dict[tuple[Any, ...], threading.Lock] = {}
        self._locks_lock = threading.Lock()

    # -- parameters -----------------------------------------------------------------------
    def params_for(self, rule_id: str, federation_ids: list[int]) -> dict[str, Any]:
        """Another rule's parameters for these federations, read once a run: kinds ask for
        them per candidate (``base.count_basis``), and each read is a query of the
        federations' overrides (~1 ms: 0.6 s of 620 candidates at 100,000 units)."""
        key = (rule_id, tuple(federation_ids))
        if (known := self._params.get(key)) is not None:
            return known
        revision = self.book.revision_on(rule_id, self.as_of) or self.book.latest(rule_id)
        feds = [f for f in self.federations if f.pk in set(federation_ids)] or self.federations
        params = rulebook_module.parameter_groups(revision, feds[:1], self.as_of)[0][0]
        self._params[key] = params  # (two threads may both read it: the same value)
        return params

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
        # What is alive before the run is left out of the collector's scans (``core.heap``).
        with heap.frozen():
            return self._run(progress, force=force, follow_only=follow_only)

    def _run(
        self,
        progress: Callable[[str, int, int], None] | None,
        *,
        force: bool,
        follow_only: bool,
    ) -> list[RuleResult]:
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
        if workers > 1 and connection.vendor == "sqlite":
            self._keep_coverage(planned)
        if workers > 1:
            order = start_order(
                [rule_id for rule_id, *_ in planned],
                whole={rule_id for rule_id, _, _, plan in planned if plan == FULL},
                heavy=self._heavy,
                shares=self._shares,
            )
            planned.sort(key=lambda p: order.index(p[0]))
        # Where a rule is written: on PostgreSQL by the worker that evaluated it, so that two
        # rules' writes run side by side (written by this thread, the organizational-life
        # rule waited ~100 ms behind 应建未建's at 100,000 units); on SQLite, which has one
        # writer at a time, by this thread as each evaluation is done — workers writing would
        # poll for the write lock against each other and against the progress updates.
        in_workers = workers > 1 and connection.vendor == "postgresql"
        tasks = [
            functools.partial(
                self._evaluate_and_write,
                rule_id,
                state,
                key,
                plan,
                follow_only,
                journal,
                todays,
                write=in_workers,
            )
            for rule_id, state, key, plan in planned
        ]
        for index, value in parallel.as_done(tasks, workers):
            rule_id, state, key, _ = planned[index]
            if progress:
                progress(rule_id, len(done), total)
            if not isinstance(value, RuleResult):
                value = self._write(rule_id, state, key, *value, journal, todays)
            done[rule_id] = value
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

    def _evaluate_and_write(
        self,
        rule_id: str,
        state: RuleState | None,
        key: str,
        plan: str | frozenset[int],
        follow_only: bool,
        journal: int,
        todays: dict[str, dict[int, datetime.date]],
        *,
        write: bool,
    ) -> RuleResult | Evaluated:
        """A rule evaluated (a task of ``rules.parallel``) and, with ``write``, written in the
        same thread (``_write``); without, what ``_write`` needs."""
        only, evaluated = self._evaluate_planned(rule_id, plan, follow_only)
        if not write:
            return only, evaluated
        return self._write(rule_id, state, key, only, evaluated, journal, todays)

    def _write(
        self,
        rule_id: str,
        state: RuleState | None,
        key: str,
        only: frozenset[int] | None,
        evaluated: tuple[list[Candidate], list[Context]] | None,
        journal: int,
        todays: dict[str, dict[int, datetime.date]],
    ) -> RuleResult:
        """A rule's findings and its state written in one transaction."""
        if evaluated is None:
            return RuleResult(rule_id, skipped=True, deferred=True)
        candidates, contexts = evaluated
        result = RuleResult(rule_id, candidates, subjects=only)
        latest = self.as_of
        if state is not None:
            latest = max(latest, state.latest_as_of or state.as_of)
        with transaction.atomic():
            sync = FindingsSync(self, rule_id, contexts, result, todays.get(rule_id, {}))
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
        return result

    def _evaluate_planned(
        self, rule_id: str, plan: str | frozenset[int], follow_only: bool
    ) -> Evaluated:
        """(the subjects judged — None: all —, the rule's candidates and contexts — None: left
        to the next full run by ``follow_only``) of a rule that is not skipped."""
        only = self._reach(rule_id, plan) if isinstance(plan, frozenset) else None
        if follow_only and only is None:
            return None, None
        candidates, contexts = self.evaluate_rule(rule_id, only)
        for c in candidates:
            c.prepare()
        return only, (candidates, contexts)

    def _keep_coverage(self, planned: list[tuple[str, Any, str, Any]]) -> None:
        """On SQLite the day's first count of the kept coverage parts (seconds at 100,000
        units) writes under the database's one write lock: counted in a worker, it would hold
        up the other workers' writes of the findings of the rules done meanwhile (up to the
        busy timeout, then "database is locked"). When a rule reading the parts is to be
        evaluated for today, they are brought up to date here, before the workers start; the
        workers then read them."""
        if self.as_of != timezone.localdate() or not coverage_triggers.triggers_in_place():
            return  # (the rules count from the facts: ``coverage_kept.uncovered``)
        if any(not self._kinds(rule_id).isdisjoint(KEPT_COVERAGE) for rule_id, *_ in planned):
            coverage_kept.figures(Scope(self.root), self.as_of)

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
        kinds = self._kinds(rule_id)
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

    def _kinds(self, rule_id: str) -> set[str]:
        """The kinds of the rule's revisions."""
        return {r.kind for r in self.book.revisions.get(rule_id, [])}

    def _heavy(self, rule_id: str) -> bool:
        return not self._kinds(rule_id).isdisjoint(HEAVY)

    def _shares(self, rule_id: str) -> frozenset[str]:
        return frozenset().union(*(SHARES.get(k, frozenset()) for k in self._kinds(rule_id)))

    def _subject(self, rule_id: str) -> str | None:
        """What the rule's findings are about when it can be judged per subject
        (``registry.SUBJECTS``: "party_organization" or "organization")."""
        kinds = self._kinds(rule_id)
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


# A rule's evaluation: (the subjects judged — None: all —, its candidates and contexts — None:
# left to the next full run by ``follow_only``).
Evaluated = tuple[frozenset[int] | None, tuple[list[Candidate], list[Context]] | None]


def start_order(
    rule_ids: list[str],
    *,
    whole: set[str],
    heavy: Callable[[str], bool],
    shares: Callable[[str], frozenset[str]],
) -> list[str]:
    """The order in which the rules of a run start when evaluated side by side: the heavy
    kinds' whole evaluations first (``registry.HEAVY``); then, of the rules evaluated whole
    that read computations several share (``registry.SHARES``), each one whose computations
    no rule before it reads — it computes them; then the rules sharing nothing, and the rules
    judged per subject; the other readers of shared computations last, when those are likely
    done: started beside the rule computing one, they waited for it while a worker stood idle
    (1.6 s of a 9 s run at 100,000 units on PostgreSQL). The rulebook's order within each
    group."""
    claimed: set[str] = set()

    def group(rule_id: str) -> int:
        if rule_id not in whole:
            return 2
        shared = shares(rule_id)
        if heavy(rule_id):
            claimed.update(shared)
            return 0
        if not shared:
            return 2
        if shared & claimed:
            return 3
        claimed.update(shared)
        return 1

    groups = {rule_id: group(rule_id) for rule_id in rule_ids}  # in order: the first claims
    return sorted(rule_ids, key=lambda rule_id: groups[rule_id])


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
