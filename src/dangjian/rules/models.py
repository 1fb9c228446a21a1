"""Judgments: findings of the rulebook with their history, rule runs and coverage snapshots
(federation overrides of the rulebook's parameters live in ``dangjian.rulebook``).

Findings and their observations are written only by the engine (``rules.engine``); people move
findings through their statuses only through the services (``rules.services``); both record
each status change in ``FindingStatusChange``. The rules read facts and never write them.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.dates import official_date
from dangjian.core.models import TimeStamped, Versioned
from dangjian.party.models import PartyOrganization
from dangjian.registry.models import Federation, Organization
from dangjian.rulebook import loader as rulebook
from dangjian.rules import asof


class Severity(models.TextChoices):
    INFO = "info", _("information")
    WARNING = "warning", _("warning")
    SERIOUS = "serious", _("serious")


def period_label(key: str) -> str:
    """A finding's period key ("2025", "term:2020-06-18", "since:2025-09-01") in words; a key
    of another form is shown as it is."""
    if not key:
        return ""
    if key.isdigit() and len(key) == 4:
        return str(_("year %(year)s")) % {"year": key}
    prefix, _sep, rest = key.partition(":")
    try:
        day = datetime.date.fromisoformat(rest)
    except ValueError:
        return key
    words = PERIOD_WORDS.get(prefix)
    return str(words) % {"day": official_date(day)} if words else official_date(day)


PERIOD_WORDS = {
    "term": _("the term from %(day)s"),
    "since": _("from %(day)s on"),
}


class FindingQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=Finding.OPEN_STATUSES)


class Finding(Versioned, TimeStamped):
    """One row per (rule, subject, period): what the rule found, with evidence and a status.

    ``subject_key`` ("o<id>" for an organization, "p<id>" for a party organization) and
    ``period_key`` ("" when the rule has no period) make the uniqueness of (rule, subject,
    period) enforceable with one constraint, since NULLs never collide in a unique index.
    ``fingerprint`` hashes the facts that decide the finding (not durations that grow every day):
    a dismissed finding is reopened only when it changes, i.e. on a new fact.

    ``severity``, ``explanation`` and ``evidence`` are those of ``last_seen`` (today's, for the
    worklist, exports and letters); every evaluation date's are kept in ``observations``. The
    explanation is read as of ``last_seen`` (``rules.asof``).
    """

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ACKNOWLEDGED = "acknowledged", _("acknowledged")
        RECTIFYING = "rectifying", _("being rectified")
        RESOLVED = "resolved", _("resolved")
        DISMISSED = "dismissed", _("dismissed")
        # Found only by a run for a date before the latest one evaluated (a replay of the
        # past): not in today's worklist, shown "as of" the dates it was found.
        PAST = "past", _("found in the past only")

    OPEN_STATUSES = (Status.OPEN, Status.ACKNOWLEDGED, Status.RECTIFYING)

    # Not indexed alone (nor the three keys below): each is the first column of an index of
    # the Meta, and every index is written again for each of the tens of thousands of
    # findings a run creates (migration rules 0014).
    rule_id = models.CharField(_("rule"), max_length=64)
    # The effective_from of the rule revision that produced the finding (history is judged by
    # the rule then in force).
    rule_revision = models.DateField(_("rule revision"), null=True, blank=True)
    federation = models.ForeignKey(
        Federation,
        verbose_name=_("federation"),
        on_delete=models.CASCADE,
        related_name="findings",
        db_index=False,
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="findings",
        db_index=False,
    )
    party_organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("party organization"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="findings",
        db_index=False,
    )
    subject_key = models.CharField(_("subject key"), max_length=24, editable=False)
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True)
    period_key = models.CharField(_("period key"), max_length=24, blank=True, default="")
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    explanation = models.TextField(_("explanation"))
    fingerprint = models.CharField(_("fingerprint"), max_length=64, blank=True, default="")
    first_seen = models.DateField(_("first seen"))
    last_seen = models.DateField(_("last seen"))
    # Not indexed alone: every read by status has the federation, the subject or the rule
    # with it (the Meta's indexes), and most findings are open, so an index on the status
    # alone would serve nothing while every run writes it (migration rules 0017).
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    # Not indexed: read only with its finding; a deleted account (rare: accounts are
    # deactivated) sets it to NULL with one scan (migration rules 0017).
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("status changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    dismissed_reason = models.TextField(_("reason for dismissal"), blank=True)

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["-last_seen", "rule_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule_id", "subject_key", "period_key"], name="rules_finding_unique"
            )
        ]
        indexes = [
            models.Index(fields=["federation", "status", "rule_id"]),
            models.Index(fields=["organization", "status"]),
            models.Index(fields=["party_organization", "status"]),
            # The worklist's keyset order (rules.lists.FINDINGS: rule, then id): its first
            # page walks this index and stops after a page of open findings in scope.
            models.Index(fields=["rule_id", "id"], name="rules_finding_worklist"),
            # Each run's digest of every rule's findings (``freshness.findings_states``:
            # count, largest id, latest change per rule) read from this index alone, not from
            # the table's rows with their evidence and explanations (a scan of 160 MB for
            # 42,000 findings at 100,000 units, 40 ms a run on PostgreSQL).
            models.Index(fields=["rule_id", "updated_at", "id"], name="rules_finding_digest"),
        ]

    def __str__(self):
        # Read in the audit trail and the admin: the rule's title and the period in words.
        return f"{self.title} · {self.subject_name} {self.period_label}".strip()

    @property
    def subject_name(self) -> str:
        if (party_organization := self.party_organization) is not None:
            return party_organization.name
        if (organization := self.organization) is not None:
            return organization.name
        return self.federation.name

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    # -- in words (what every page, export and letter shows instead of codes) -------------
    @property
    def title(self) -> str:
        """The rule's title (the id of a rule since removed from the rulebook)."""
        return rulebook.title(self.rule_id)

    @property
    def explanation_text(self) -> str:
        """The explanation as people read it, as of the day it was last found: dates written
        as official text writes them."""
        return asof.shown(self.explanation, self.last_seen)

    @property
    def period_label(self) -> str:
        """The period in words: 2025年, a term "2020年6月18日起的任期", "自2025年9月1日起"."""
        return period_label(self.period_key)

    @staticmethod
    def subject_key_for(organization_id=None, party_organization_id=None) -> str:
        if party_organization_id:
            return f"p{party_organization_id}"
        return f"o{organization_id}"


class FindingObservation(models.Model):
    """What the evaluations found about a finding over a run of days, ``as_of`` to ``until``:
    the same explanation, evidence and severity on each. A new day's evaluation that finds the
    finding as the one before it did extends the run to its day (one short update, not a row a
    day); another text or severity starts a new run; a day it is no longer found ends the run
    before that day (``rules.sync``). A day inside a run that no evaluation judged (the runs
    were weekly, say) counts as the evaluations on both sides found it. The finding's page
    reads its timeline here, and an "as of" view shows the run containing that day.

    Rows written before runs existed (``rules 0018``) are runs of one day each.
    """

    # Indexed by the (finding, as_of) key of the Meta, not alone (migration rules 0014).
    # No constraint in the database: every row is written by the engine's synchronisation,
    # from the finding rows themselves in the same statement (``INSERT … SELECT``: a new
    # finding's first run, a run copied on a replay), and deleted with its finding by the
    # ORM's cascade — the database's check of each new row re-proved what that SELECT does,
    # a seventh of writing a rule's new findings (3,400 at 100,000 units, PostgreSQL: ~20 ms
    # of ~150). The findings' own references to the facts (units, party organizations,
    # federations) keep theirs.
    finding = models.ForeignKey(
        Finding,
        verbose_name=_("finding"),
        on_delete=models.CASCADE,
        related_name="observations",
        db_index=False,
        db_constraint=False,
    )
    as_of = models.DateField(_("from"))
    until = models.DateField(_("until"))
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    explanation = models.TextField(_("explanation"))
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("finding observation")
        verbose_name_plural = _("finding observations")
        ordering = ["finding_id", "as_of"]
        constraints = [
            models.UniqueConstraint(fields=["finding", "as_of"], name="rules_observation_unique")
        ]
        # Every read goes by finding (the unique key's index): a run reads its findings' runs,
        # the "as of" worklist asks each finding listed for its run of the day.

    def __str__(self):
        return f"{self.finding_id} {self.as_of}–{self.until}"

    def explanation_on(self, day: datetime.date) -> str:
        """The explanation as people read it as of ``day`` (a day of the run)."""
        return asof.shown(self.explanation, day)


class FindingStatusChange(models.Model):
    """One step of a finding's status history: from, to, when, who (none: the engine) and why.

    The history's one home. The audit trail also records a person's change (``record_event``,
    for the security record), but it is pruned after ``DANGJIAN_AUDIT_RETENTION_DAYS`` and does
    not hold the engine's changes, while why a finding was dismissed three years ago is part of
    the finding and lives as long as it does (the applications' ``StatusChange`` does the same).
    """

    # Indexed by the (finding, at) index of the Meta, not alone (migration rules 0014).
    finding = models.ForeignKey(
        Finding,
        verbose_name=_("finding"),
        on_delete=models.CASCADE,
        related_name="status_changes",
        db_index=False,
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Copied, so the history outlives the account; empty for the system (the engine).
    actor_name = models.CharField(_("by"), max_length=150, blank=True)
    from_status = models.CharField(
        _("previous status"), max_length=12, choices=Finding.Status.choices, blank=True
    )
    to_status = models.CharField(_("new status"), max_length=12, choices=Finding.Status.choices)
    reason = models.TextField(_("reason"), blank=True)
    # The engine's changes: the evaluation date that decided them.
    as_of = models.DateField(_("as of"), null=True, blank=True)

    class Meta:
        verbose_name = _("finding status change")
        verbose_name_plural = _("finding status changes")
        ordering = ["finding_id", "at", "id"]
        indexes = [models.Index(fields=["finding", "at"])]

    def __str__(self):
        return f"{self.finding_id} {self.from_status} → {self.to_status}"


class EvaluationRun(TimeStamped):
    """One run of the rulebook over a federation subtree, with its progress (polled by htmx)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        # Its own context: "failed" is 不合格 for an inspection, 失败 for a run.
        FAILED = "failed", pgettext_lazy("evaluation run", "failed")

    federation = models.ForeignKey(
        Federation, verbose_name=_("federation"), on_delete=models.CASCADE, related_name="+"
    )
    as_of = models.DateField(_("as of"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.QUEUED)
    steps_total = models.PositiveIntegerField(_("steps"), default=0)
    steps_done = models.PositiveIntegerField(_("steps done"), default=0)
    current_step = models.CharField(_("current step"), max_length=100, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("rule run")
        verbose_name_plural = _("rule runs")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.federation} {self.as_of} {self.state}"

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        if not self.steps_total:
            return 0
        return min(100, round(100 * self.steps_done / self.steps_total))


class CoverageSnapshot(models.Model):
    """Coverage rates of a federation subtree at a month's end, kept so dashboards and trend
    charts never recompute history. ``dimension``/``value`` name the slice ("all"/"", or
    "category"/"association", "sector"/"enterprise", …)."""

    federation = models.ForeignKey(
        Federation, verbose_name=_("federation"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("as of"))
    dimension = models.CharField(_("dimension"), max_length=16, default="all")
    value = models.CharField(_("value"), max_length=100, blank=True, default="")
    total = models.PositiveIntegerField(_("member units"))
    organizational = models.PositiveIntegerField(_("covered by a party organization"))
    single = models.PositiveIntegerField(_("with their own party organization"))
    work = models.PositiveIntegerField(_("with party work coverage"))
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("coverage snapshot")
        verbose_name_plural = _("coverage snapshots")
        ordering = ["federation_id", "day", "dimension", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["federation", "day", "dimension", "value"],
                name="rules_coverage_snapshot_unique",
            )
        ]

    def __str__(self):
        return f"{self.federation} {self.day} {self.dimension}={self.value}"


class CoverageDay(models.Model):
    """The coverage page's figures of one scope on one day (``coverage.figures``), kept with a
    digest of the tables they were computed from (``freshness.tables_state``): served again
    while that digest holds, recomputed and replaced once any of those tables changes. Not a
    record of history (``CoverageSnapshot`` is): any row may be deleted at any time."""

    federation = models.ForeignKey(
        Federation, verbose_name=_("federation"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("as of"))
    # The scope's filters as a query string ("" for the whole subtree).
    scope_key = models.CharField(_("filters"), max_length=400, blank=True, default="")
    inputs = models.CharField(_("digest of the inputs"), max_length=64)
    data = models.JSONField(_("figures"), default=dict)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)
    # Figures of a whole subtree keep each unit's part (``CoverageUnit``) and follow the
    # journal of changed units (``CoverageChange``) from here: its last line read, and on
    # PostgreSQL the transactions still running then (their lines may have lower ids).
    position = models.BigIntegerField(_("changes read up to"), null=True, blank=True)
    running = models.JSONField(_("transactions running then"), default=list, blank=True)
    # Its party organizations' full members on the day (``CoverageBranch``), kept with the
    # units' parts and followed by the same journal, counted by this basis
    # (``party.queries`` EMPLOYER_OR_RELATION …; "" while none is kept).
    count_by = models.CharField(_("branch members counted by"), max_length=24, blank=True)

    class Meta:
        verbose_name = _("coverage figures of a day")
        verbose_name_plural = _("coverage figures of a day")
        constraints = [
            models.UniqueConstraint(
                fields=["federation", "day", "scope_key"], name="rules_coverage_day_unique"
            )
        ]

    def __str__(self):
        return f"{self.federation} {self.day} {self.scope_key}"


class CoverageUnit(models.Model):
    """One member unit's part in the kept figures of a federation's whole subtree
    (``CoverageDay``): the groups it is counted in, its three flags and its full members
    employed on the figures' day. A change to a few units then moves the figures by those
    units' old and new parts (``rules.coverage_kept``) instead of counting every unit of the
    subtree again; the formation rules read the uncovered units' full members from here
    instead of counting every employment of the subtree at each run."""

    figures = models.ForeignKey(CoverageDay, on_delete=models.CASCADE, related_name="+")
    organization_id = models.IntegerField(_("unit"))
    category = models.CharField(_("category"), max_length=16, blank=True)
    legal_form = models.CharField(_("legal form"), max_length=24, blank=True)
    district = models.CharField(_("district"), max_length=50, blank=True)
    # The unit's domains' names, one per line ("" for none).
    domains = models.TextField(_("domains"), blank=True)
    covered = models.PositiveSmallIntegerField(_("covered by a party organization"))
    own = models.PositiveSmallIntegerField(_("with their own party organization"))
    worked = models.PositiveSmallIntegerField(_("with party work coverage"))
    # What the formation rules read of an uncovered unit (``uncovered``): the federation of
    # the subtree it is a member of (the largest id when several) and its full members
    # employed on the day (DOMAIN.md §3.1: counted by employer).
    federation_id = models.IntegerField(_("federation"), null=True, blank=True)
    full_members = models.PositiveIntegerField(_("full members employed"), default=0)
    # The latest start of its membership in force in the subtree on the day.
    joined = models.DateField(_("joined on"), null=True, blank=True)
    # What the 应建未建 rule explains, kept for an uncovered unit with full members (empty
    # otherwise): the first days on which its full members began to count (ISO days,
    # ascending, comma-separated, at most ``coverage_kept.DETAIL_DAYS``), where their 组织关系
    # sits on the day (``party.queries.EmployedFull.places``), and the last day a coverage of
    # it ended before the day.
    counted_from = models.TextField(_("full members counted from"), null=True, blank=True)
    relation_system = models.PositiveIntegerField(_("relations in the system"), null=True)
    relation_outside = models.PositiveIntegerField(_("relations outside"), null=True)
    relation_unrecorded = models.PositiveIntegerField(_("relations unrecorded"), null=True)
    cover_ended = models.DateField(_("last coverage ended on"), null=True, blank=True)

    class Meta:
        verbose_name = _("unit in kept coverage figures")
        verbose_name_plural = _("units in kept coverage figures")
        constraints = [
            models.UniqueConstraint(
                fields=["figures", "organization_id"], name="rules_coverage_unit_unique"
            )
        ]

    def __str__(self):
        return f"{self.figures_id} {self.organization_id}"


class CoverageBranch(models.Model):
    """One party organization's full members on the day of the kept figures of a federation's
    whole subtree (``CoverageDay``), counted as the rulebook counts a branch's members
    (``CoverageDay.count_by``; ``party.queries.branch_full_counts``): the rules that judge a
    branch's size read them from here (``rules.branch_kept``) instead of counting every
    member's relation and job of the subtree at each run. Every party organization of the
    subtree on the day has a row, 0 included: one without a row was not in it when counted."""

    figures = models.ForeignKey(CoverageDay, on_delete=models.CASCADE, related_name="+")
    party_organization_id = models.IntegerField(_("party organization"))
    full_members = models.PositiveIntegerField(_("full members"), default=0)

    class Meta:
        verbose_name = _("party organization in kept coverage figures")
        verbose_name_plural = _("party organizations in kept coverage figures")
        constraints = [
            models.UniqueConstraint(
                fields=["figures", "party_organization_id"], name="rules_coverage_branch_unique"
            )
        ]

    def __str__(self):
        return f"{self.figures_id} {self.party_organization_id}"


class CoverageChange(models.Model):
    """A unit whose coverage inputs (its memberships, coverages, instructors, domains, own
    row, employments, or an employee's full membership or leaving) changed, or a party
    organization whose members' count may have (``party_organization_id``), written by
    database triggers in the writing transaction whoever writes
    (``rules.coverage_triggers.install_triggers``); neither a unit nor a party organization
    means anything may have changed (a federation or a domain renamed or moved). Read by the kept coverage figures, pruned once
    every kept figure has read it. Not ``core.touch``: that journal is written by the
    services of journaled facts and consumed by the rules engine; this one by triggers on
    tables no service marks."""

    organization_id = models.IntegerField(_("unit"), null=True, blank=True)
    # A party organization whose members' count may have moved (a coverage of it, a relation
    # held in it, or the standing of a member holding one, changed): the kept branch counts
    # (``CoverageBranch``). A line names a unit, a party organization, or neither (anything).
    party_organization_id = models.IntegerField(_("party organization"), null=True, blank=True)
    # PostgreSQL: the writing transaction (ids are taken before commit, so a line may commit
    # after a higher one was read; see ``CoverageDay.running``). SQLite has one writer: NULL.
    tx = models.BigIntegerField(_("writing transaction"), null=True, blank=True)
    at = models.DateTimeField(_("written at"), db_default=Now())

    class Meta:
        verbose_name = _("changed unit of the coverage figures")
        verbose_name_plural = _("changed units of the coverage figures")
        indexes = [models.Index(fields=["tx"], name="rules_coverage_change_tx")]

    def __str__(self):
        return f"{self.pk} {self.organization_id}"


class RuleState(models.Model):
    """What the last run of a rule over a federation subtree read (digests), so that a run for
    the same day with nothing changed skips the rule, and the latest day it was evaluated for:
    the engine's "today" for that subtree (a run for an earlier day only records the past; see
    ``rules.engine``)."""

    federation = models.ForeignKey(
        Federation, verbose_name=_("federation"), on_delete=models.CASCADE, related_name="+"
    )
    rule_id = models.CharField(_("rule"), max_length=64)
    as_of = models.DateField(_("as of"))
    inputs = models.CharField(_("digest of the inputs"), max_length=64)
    findings = models.CharField(_("digest of the findings"), max_length=64)
    found = models.PositiveIntegerField(_("found"), default=0)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)
    latest_as_of = models.DateField(_("latest day evaluated"), null=True, blank=True)
    # The journal of touched subjects (core.touch) was read up to this line.
    journal = models.BigIntegerField(_("journal read up to"), null=True, blank=True)

    class Meta:
        verbose_name = _("rule state")
        verbose_name_plural = _("rule states")
        constraints = [
            models.UniqueConstraint(fields=["federation", "rule_id"], name="rules_state_unique")
        ]

    def __str__(self):
        return f"{self.federation} {self.rule_id} {self.as_of}"


class InputChange(models.Model):
    """How many times an input table of the rules was changed, counted by database triggers
    in the writing transaction itself (``rules.freshness``): the skip cache reads a few small
    rows per table instead of scanning each table for its latest ``updated_at``. A table's
    count is the sum of its buckets: on PostgreSQL a writer counts in the bucket of its
    connection (``pg_backend_pid() % BUCKETS``), so two transactions writing one table hold
    different rows until they commit instead of waiting for each other (one row per table
    made a long import hold up every web edit of that table); SQLite has one writer, bucket 0."""

    BUCKETS = 64

    table_name = models.CharField(_("input table"), max_length=128)
    bucket = models.PositiveSmallIntegerField(_("bucket"), default=0)
    changes = models.BigIntegerField(_("number of changes"), default=0)

    class Meta:
        verbose_name = _("input change count")
        verbose_name_plural = _("input change counts")
        constraints = [
            models.UniqueConstraint(
                fields=["table_name", "bucket"], name="rules_inputchange_one_per_bucket"
            )
        ]

    def __str__(self):
        return f"{self.table_name} {self.bucket} {self.changes}"
