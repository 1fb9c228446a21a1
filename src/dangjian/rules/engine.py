"""The engine: applies every rule of the rulebook to a federation subtree as of a day, and keeps
the findings table in step with what it finds (idempotently).

Each rule *kind* (rules/kinds/) is a function ``(ctx) -> iterable[Candidate]`` built on
set-based queries; the engine loops over rules and over federations sharing the same
parameters, never over organizations. ``evaluate`` computes without writing; ``run`` also
synchronises the findings:

* a candidate without a row → a new open finding (first_seen = last_seen = as_of);
* an open finding seen again → last_seen moves forward; evidence and explanation refresh;
* an open finding not seen again (within the scope and window the run checked) → resolved,
  resolved_on = as_of;
* a resolved finding seen again on a later day → reopened (the condition came back);
* a dismissed finding stays dismissed unless its fingerprint — the facts that decide it, not
  durations that grow by themselves — changed: that is a new fact, and it reopens.

A run "as of" a past day never closes a finding last seen after that day, and never moves
last_seen backwards, so replaying history does not disturb the present.

A rule whose inputs did not change since its last run over the same federation for the same
day is skipped (``RuleState``; the digests are ``rules.freshness``'s). Same inputs give the
same candidates, and the same candidates on the same day leave the findings as they are, so
skipping changes nothing. The kinds and their registry are ``rules.registry``'s.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from dangjian.registry.models import Federation
from dangjian.rulebook import loader as rulebook_module
from dangjian.rulebook.loader import Rulebook
from dangjian.rules.freshness import code_version, digest, findings_state, input_state
from dangjian.rules.models import Finding, RuleState
from dangjian.rules.registry import (
    KINDS,
    KINDS_PERIODIC,
    MERGERS,
    PARAMETERS_ONLY,
    Candidate,
    Context,
    chunks,
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

    @property
    def found(self) -> int:
        return self.found_before if self.skipped else len(self.candidates)


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
        self.rule_ids = rule_ids or [
            r for r in self.book.rule_ids() if self.book.latest(r).kind != PARAMETERS_ONLY
        ]
        # registry's Federation.subtree is not typed yet (another app's file); the second code
        # keeps this line clean once it is.
        self.federations = list(federation.subtree())  # type: ignore[no-untyped-call, unused-ignore]
        # Shared by the kinds of one run (base.cached): keyed by name and parameters.
        self.cache: dict[str, Any] = {}

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
    def evaluate_rule(self, rule_id: str) -> tuple[list[Candidate], list[Context]]:
        candidates: list[Candidate] = []
        contexts = self.contexts(rule_id)
        for ctx in contexts:
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
        self, progress: Callable[[str, int, int], None] | None = None, *, force: bool = False
    ) -> list[RuleResult]:
        """Evaluate and synchronise every rule; ``force`` re-evaluates rules whose inputs did
        not change too."""
        results: list[RuleResult] = []
        total = len(self.rule_ids)
        inputs = input_state()  # before anything is read: a later change re-evaluates
        states = {
            s.rule_id: s
            for s in RuleState.objects.filter(federation=self.root, rule_id__in=self.rule_ids)
        }
        for i, rule_id in enumerate(self.rule_ids):
            if progress:
                progress(rule_id, i, total)
            key = self._input_key(rule_id, inputs)
            state = states.get(rule_id)
            if (
                not force
                and state is not None
                and state.as_of == self.as_of
                and state.inputs == key
                and state.findings == findings_state(rule_id)
            ):
                results.append(RuleResult(rule_id, skipped=True, found_before=state.found))
                continue
            candidates, contexts = self.evaluate_rule(rule_id)
            result = RuleResult(rule_id, candidates)
            with transaction.atomic():
                self._sync(rule_id, candidates, contexts, result)
                RuleState.objects.update_or_create(
                    federation=self.root,
                    rule_id=rule_id,
                    defaults={
                        "as_of": self.as_of,
                        "inputs": key,
                        "findings": findings_state(rule_id),
                        "found": len(candidates),
                        "computed_at": timezone.now(),
                    },
                )
            results.append(result)
        if progress:
            progress("", total, total)
        return results

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

    # -- synchronising findings -----------------------------------------------------------
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
        "federation_id",
        "period_start",
    )

    def _existing(self, qs: QuerySet[Finding]) -> dict[tuple[str, str], dict[str, Any]]:
        """Existing findings as plain rows (model instances only for the few that change)."""
        return {
            (row[1], row[2]): dict(zip(self.ROW_FIELDS, row, strict=True))
            for row in qs.values_list(*self.ROW_FIELDS)
        }

    def _sync(
        self,
        rule_id: str,
        candidates: list[Candidate],
        contexts: list[Context],
        result: RuleResult,
    ) -> None:
        as_of = self.as_of
        fed_ids = {f.pk for f in self.federations}
        keys = {(c.subject_key, c.period_key) for c in candidates}
        existing = self._existing(
            Finding.objects.filter(rule_id=rule_id, federation_id__in=fed_ids)
        )
        # A finding moved to another federation (the unit changed federations) is still the
        # same finding: look the missing keys up globally.
        missing = {k[0] for k in keys if k not in existing}
        for chunk in chunks(sorted(missing), 500):
            for key, found in self._existing(
                Finding.objects.filter(rule_id=rule_id, subject_key__in=chunk)
            ).items():
                existing.setdefault(key, found)
        severity = contexts[0].revision.severity if contexts else "warning"
        revision_of = contexts[0].revision.effective_from if contexts else None
        now = timezone.now()
        to_create: list[Finding] = []
        changes: dict[int, dict[str, Any]] = {}  # finding id → {field: value}
        for c in candidates:
            row = existing.get((c.subject_key, c.period_key))
            fingerprint = c.fingerprint
            if row is None:
                to_create.append(
                    Finding(
                        rule_id=rule_id,
                        rule_revision=revision_of,
                        federation_id=c.federation_id,
                        organization_id=c.organization_id,
                        party_organization_id=c.party_organization_id,
                        subject_key=c.subject_key,
                        period_start=c.period_start,
                        period_end=c.period_end,
                        period_key=c.period_key,
                        severity=severity,
                        evidence=c.evidence,
                        explanation=c.explanation,
                        fingerprint=fingerprint,
                        first_seen=as_of,
                        last_seen=as_of,
                        status=Finding.Status.OPEN,
                        status_changed_at=now,
                    )
                )
                continue
            change: dict[str, Any] = {}
            if as_of < row["first_seen"]:
                change["first_seen"] = as_of
            if as_of >= row["last_seen"]:
                if as_of > row["last_seen"]:
                    change["last_seen"] = as_of
                new_fact = fingerprint != row["fingerprint"]
                # The explanation carries every number of the evidence: equal text, same
                # evidence (so the JSON need not be read back to compare).
                if row["explanation"] != c.explanation or new_fact:
                    change |= {"explanation": c.explanation, "evidence": c.evidence}
                if new_fact:
                    change["fingerprint"] = fingerprint
                if row["federation_id"] != c.federation_id:
                    change["federation_id"] = c.federation_id
                status = row["status"]
                reopen = (
                    status == Finding.Status.RESOLVED and as_of > (row["resolved_on"] or as_of)
                ) or (status == Finding.Status.DISMISSED and new_fact)
                if reopen:
                    change |= {
                        "status": Finding.Status.OPEN,
                        "resolved_on": None,
                        "status_changed_at": now,
                        "status_changed_by": None,
                    }
                    result.reopened += 1
            if change:
                changes[row["id"]] = change
            else:
                result.unchanged += 1
        # Close open findings the run checked and did not see again.
        checked = [ctx.checked_periods for ctx in contexts if ctx.checked_periods]
        for key, row in existing.items():
            if key in keys or row["status"] not in Finding.OPEN_STATUSES:
                continue
            if row["federation_id"] not in fed_ids:
                continue
            if row["last_seen"] > as_of or row["first_seen"] > as_of:
                continue
            start = row["period_start"]
            if checked and start is not None and not any(lo <= start <= hi for lo, hi in checked):
                continue
            changes[row["id"]] = {
                "status": Finding.Status.RESOLVED,
                "resolved_on": as_of,
                "status_changed_at": now,
                "status_changed_by": None,
            }
            result.resolved += 1
        if to_create:
            _insert_findings(to_create, now)
        self._apply(changes, now)
        result.created = len(to_create)
        result.updated = len(changes) - result.resolved

    @staticmethod
    def _apply(changes: dict[int, dict[str, Any]], now: datetime.datetime) -> None:
        """Write the changes, grouped by the set of fields they touch (one bulk_update each)."""
        groups: dict[tuple[str, ...], list[int]] = {}
        for pk, change in changes.items():
            groups.setdefault(tuple(sorted(change)), []).append(pk)
        for fields, ids in groups.items():
            for chunk in chunks(ids, 500):
                objs = list(Finding.objects.filter(pk__in=chunk).only("id", "version"))
                for obj in objs:
                    for name, value in changes[obj.pk].items():
                        setattr(obj, name, value)
                    obj.version += 1
                    obj.updated_at = now
                Finding.objects.bulk_update(
                    objs, [*(f.removesuffix("_id") for f in fields), "version", "updated_at"]
                )


INSERT_FIELDS = (
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


def _insert_findings(findings: list[Finding], now: datetime.datetime) -> None:
    """New findings by one ``executemany``: ``bulk_create`` spends most of a large run preparing
    each field of each row; here dates, times and JSON are prepared once per kind of value."""
    sqlite = connection.vendor == "sqlite"
    stamp = Finding._meta.get_field("created_at").get_db_prep_value(now, connection)

    def day(value: datetime.date | None) -> datetime.date | str | None:
        return value.isoformat() if sqlite and value is not None else value

    columns = ", ".join(connection.ops.quote_name(f) for f in INSERT_FIELDS)
    marks = ", ".join(
        "%s::jsonb" if f == "evidence" and not sqlite else "%s" for f in INSERT_FIELDS
    )
    sql = f"INSERT INTO {Finding._meta.db_table} ({columns}) VALUES ({marks})"  # noqa: S608
    rows = [
        (
            stamp,
            stamp,
            f.rule_id,
            day(f.rule_revision),
            f.federation_id,
            f.organization_id,
            f.party_organization_id,
            f.subject_key,
            day(f.period_start),
            day(f.period_end),
            f.period_key,
            f.severity,
            json.dumps(f.evidence, ensure_ascii=False),
            f.explanation,
            f.fingerprint,
            day(f.first_seen),
            day(f.last_seen),
            f.status,
            stamp,
            None,
            "",
            1,
        )
        for f in findings
    ]
    with connection.cursor() as cursor:
        for chunk in chunks(rows, 2000):
            cursor.executemany(sql, chunk)


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
