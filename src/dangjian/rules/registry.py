"""The rule kinds' registry: what a kind finds (``Candidate``), what it is given (``Context``),
and the ``@kind`` decorator that registers it with its window and merger.

Each rule *kind* (rules/kinds/) is a function ``(ctx) -> iterable[Candidate]``. The kinds
import this module and the engine imports it too; the engine never needs the kinds' modules
except to have them register (``load_kinds``), so there is no import circle.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dangjian.core.bulk import json_encoder
from dangjian.rulebook.loader import Revision
from dangjian.rules.models import Finding

if TYPE_CHECKING:
    from dangjian.rules.engine import Engine


# The journaled facts the kinds name in ``reads`` (``core.touch.JOURNALED``).
MEETINGS = "orglife.Meeting"
# Marked by ``orglife.services.bands`` for the branches of meetings with minutes that changed
# (and of their band partners): what can move a near-duplicate-minutes finding.
MINUTES = "orglife.MinuteBand"

# A rulebook entry of this kind finds nothing: its numbers serve pages and workflows.
PARAMETERS_ONLY = "parameters"


@dataclass
class Candidate:
    """What a rule found about one subject (and period)."""

    federation_id: int
    explanation: str
    evidence: dict[str, Any]
    facts: dict[str, Any]  # what decides the finding; hashed into the fingerprint
    organization_id: int | None = None
    party_organization_id: int | None = None
    period_start: datetime.date | None = None
    period_end: datetime.date | None = None
    period_key: str = ""
    # The rule's severity unless the kind grades its findings (e.g. a lower one for silence).
    severity: str | None = None
    raw: object = field(default=None, repr=False, compare=False)

    @property
    def subject_key(self) -> str:
        return Finding.subject_key_for(self.organization_id, self.party_organization_id)

    # Not ``functools.cached_property``: before Python 3.12 it holds one lock for every
    # instance, and the rules evaluated side by side make theirs at the same time.
    @property
    def fingerprint(self) -> str:
        made = self.__dict__.get("_fingerprint")
        if made is None:
            data = _FACTS_JSON(self.facts)
            made = self.__dict__["_fingerprint"] = hashlib.sha256(data.encode()).hexdigest()[:32]
        return made

    @property
    def evidence_json(self) -> str:
        """The evidence as the findings' JSON column stores it (``core.bulk.json_encoder``)."""
        made = self.__dict__.get("_evidence_json")
        if made is None:
            made = self.__dict__["_evidence_json"] = _EVIDENCE_JSON(self.evidence)
        return made

    def prepare(self) -> None:
        """Make the fingerprint and the evidence's JSON text now: in the thread that evaluated
        the rule (``rules.parallel``), not in the run's thread, which writes every rule's
        findings on SQLite."""
        self.fingerprint  # noqa: B018 - made and kept
        self.evidence_json  # noqa: B018


_EVIDENCE_JSON = json_encoder(Finding._meta.get_field("evidence"))
# The facts as the fingerprint hashes them: ``json.dumps(facts, sort_keys=True,
# ensure_ascii=False, default=str)``, with one encoder (``dumps`` builds one per call).
_FACTS_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, default=str).encode


@dataclass
class Context:
    """One rule applied to one group of federations sharing the same parameters."""

    engine: Engine
    revision: Revision
    params: dict[str, Any]
    federation_ids: list[int]
    as_of: datetime.date
    # Period rules report which periods they checked, so only those findings can be closed.
    checked_periods: tuple[datetime.date, datetime.date] | None = None
    # An incremental run: only these subjects are judged (kinds in ``SUBJECTS``: party
    # organizations or units, as the kind's ``subject`` says).
    only: frozenset[int] | None = None

    def other_params(self, rule_id: str) -> dict[str, Any]:
        """Parameters of another rule for this group (composite rules reuse them)."""
        return self.engine.params_for(rule_id, self.federation_ids)


KindFunction = Callable[[Context], Iterable[Candidate]]
# (party organization, unit, member) as ``core.touch`` journals them.
Touched = set[tuple[int | None, int | None, int | None]]
# The subjects (of the kind's ``subject``) whose findings the touched subjects can move; None:
# it cannot say (the rule is then evaluated whole).
WidenFunction = Callable[[Touched], set[int] | None]
# The subjects a kind must judge again besides ``only`` (its context's parameters known: a
# lookback window, a similarity threshold), for findings that pair a subject with another —
# the later meeting of a pair carries the finding; None: it cannot say (evaluated whole).
ReachFunction = Callable[["Context", frozenset[int]], set[int] | None]
WindowFunction = Callable[[Revision, datetime.date], datetime.date]
MergeFunction = Callable[[list[Candidate]], Candidate]

# kind name → the function that finds its candidates.
KINDS: dict[str, KindFunction] = {}
# kind name → function(first revision, as_of) giving the first day of the window a period
# rule checks: every revision overlapping the window takes part.
KINDS_PERIODIC: dict[str, WindowFunction] = {}
# kind name → how two revisions' candidates for the same subject and period become one.
MERGERS: dict[str, MergeFunction] = {}
# kind name → the journaled facts (``core.touch.JOURNALED``) it reads; a kind not listed reads
# all of them. A change to a journaled fact no kind reads re-evaluates nothing.
READS: dict[str, frozenset[str]] = {}
# kind name → the subject it can be restricted to in an incremental run ("party_organization"
# or "organization": it honours ``Context.only`` and its findings are one such subject's each).
# A change to a journaled fact it reads then re-evaluates only the subjects it can move
# (``WIDEN``; by default the touched party organizations themselves).
SUBJECTS: dict[str, str] = {}
# kind name → the subjects to judge again for the touched ones (a meeting of a branch moves
# the dormancy of the units it covers, and so the empty-shell finding of their other branches).
WIDEN: dict[str, WidenFunction] = {}
# kind name → the subjects paired with the ones to judge (``ReachFunction``): asked by the
# engine per context after ``WIDEN``, before the evaluation; they are judged too.
REACH: dict[str, ReachFunction] = {}
# The kinds whose whole evaluation is known to take far longer than the others' (the copied
# minutes: every signature of a year, 25 of a run's 30 s at 100,000 units on PostgreSQL; the
# impossible attendance on SQLite): when rules are
# evaluated side by side (``rules.parallel``) they start first, so that the others are done
# beside them instead of after them.
HEAVY: set[str] = set()
# Kinds that read the day's kept coverage parts (``rules.coverage_kept.uncovered``).
KEPT_COVERAGE: set[str] = set()
# kind name → the computations of a run it shares with other kinds (the names they are
# cached under: ``rules.kinds.base.cached``). Started beside the rule computing one, another
# reading it waits for it, a worker idle: the engine starts one reader of each early and the
# others once the rest have started (``engine.start_order``).
SHARES: dict[str, frozenset[str]] = {}


def touched_party_organizations(touched: Touched) -> set[int] | None:
    """The default ``widen``: the party organizations touched (None when a line names none)."""
    ids = {po for po, _, _ in touched}
    return None if None in ids else {po for po in ids if po is not None}


def kind(
    name: str,
    *,
    window: WindowFunction | None = None,
    merge: MergeFunction | None = None,
    reads: Iterable[str] | None = None,
    subject: str | None = None,
    widen: WidenFunction | None = None,
    reach: ReachFunction | None = None,
    heavy: bool = False,
    kept_coverage: bool = False,
    shares: Iterable[str] = (),
) -> Callable[[KindFunction], KindFunction]:
    """Register a rule kind; ``window`` makes it a period rule, ``merge`` joins candidates
    of several revisions (default: the last revision's); ``reads`` names the journaled facts it
    reads (default: all), ``subject`` what it can be restricted to (``SUBJECTS``) and
    ``widen`` which of those a touch can move (``WIDEN``), ``reach`` which others the
    subjects so found are paired with (``REACH``); ``heavy`` that its whole evaluation is
    started before the others' (``HEAVY``); ``kept_coverage`` that it reads the day's kept
    coverage parts (``KEPT_COVERAGE``); ``shares`` the computations of a run it reads with
    other kinds (``SHARES``)."""

    def register(fn: KindFunction) -> KindFunction:
        KINDS[name] = fn
        if reads is not None:
            READS[name] = frozenset(reads)
        if subject is not None:
            SUBJECTS[name] = subject
            WIDEN[name] = widen or touched_party_organizations
            if reach is not None:
                REACH[name] = reach
        if window is not None:
            KINDS_PERIODIC[name] = window
        if merge is not None:
            MERGERS[name] = merge
        if heavy:
            HEAVY.add(name)
        if kept_coverage:
            KEPT_COVERAGE.add(name)
        if shares:
            SHARES[name] = frozenset(shares)
        return fn

    return register


def load_kinds() -> None:
    """Import every kind module so that each registers."""
    from dangjian.rules import kinds  # noqa: F401
