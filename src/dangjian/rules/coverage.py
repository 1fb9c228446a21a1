"""Coverage rates (DOMAIN.md §3.8), as of any day, over any scope, with the units behind them.

* 组织覆盖率 organizational = units covered by a party organization (own, joint or via the
  board) on the day ÷ member units in scope on the day;
* 单独组建率 single = units with their own party organization (coverage kind "own") ÷ all;
* 工作覆盖率 work = units covered by a party organization **or** with an instructor/liaison
  assigned on the day ÷ all.

So work ≥ organizational ≥ single always. The scope is a federation subtree plus optional
filters (category, domain, district, legal form, sector = enterprise / social organization).
``compute`` always reads the facts; ``as_of`` reads a month-end snapshot when one exists for a
past day and otherwise the day's figures (``figures``: kept while the tables they come from are
unchanged), so ``as_of(today) == compute(today)``.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.utils import timezone

from dangjian.core.models import valid_on_q
from dangjian.core.sql import fetch_all, id_list
from dangjian.party.models import Coverage, InstructorAssignment
from dangjian.registry.models import Domain, Federation, Membership, Organization

MEASURES = ("total", "organizational", "single", "work")
DIMENSIONS = ("category", "legal_form", "district", "sector", "domain")
ENTERPRISE = Organization.LegalForm.ENTERPRISE


@dataclass(frozen=True)
class Rates:
    total: int
    organizational: int
    single: int
    work: int

    def numbers(self) -> list[int]:
        return [self.total, self.organizational, self.single, self.work]

    def rate(self, measure: str) -> float | None:
        if not self.total:
            return None
        return round(100 * getattr(self, measure) / self.total, 1)

    @property
    def organizational_rate(self):
        return self.rate("organizational")

    @property
    def single_rate(self):
        return self.rate("single")

    @property
    def work_rate(self):
        return self.rate("work")

    def as_dict(self) -> dict:
        return asdict(self) | {
            "organizational_rate": self.organizational_rate,
            "single_rate": self.single_rate,
            "work_rate": self.work_rate,
        }


@dataclass(frozen=True)
class Scope:
    federation: Federation
    category: str = ""
    domain: str = ""
    district: str = ""
    legal_form: str = ""
    sector: str = ""  # "enterprise" | "social"

    def filters(self) -> dict:
        return {
            k: getattr(self, k)
            for k in ("category", "domain", "district", "legal_form", "sector")
            if getattr(self, k)
        }


def units(scope: Scope, day: datetime.date) -> QuerySet[Organization]:
    """Member units of the scope on ``day``."""
    # Federation ids first: a join to the federation inside the subquery lets SQLite plan it
    # through the federation index (every membership of the federation for each unit).
    federation_ids = list(scope.federation.subtree().values_list("pk", flat=True))
    qs = Organization.objects.filter(
        Exists(
            Membership.objects.filter(
                valid_on_q(day), organization=OuterRef("pk"), federation_id__in=federation_ids
            )
        )
    )
    if scope.category:
        qs = qs.filter(category=scope.category)
    if scope.legal_form:
        qs = qs.filter(legal_form=scope.legal_form)
    if scope.district:
        qs = qs.filter(district=scope.district)
    if scope.domain:
        qs = qs.filter(domains__name=scope.domain)
    if scope.sector == "enterprise":
        qs = qs.filter(legal_form=ENTERPRISE)
    elif scope.sector == "social":
        qs = qs.exclude(legal_form=ENTERPRISE)
    return qs


def flags(day: datetime.date) -> dict:
    covered = Coverage.objects.filter(valid_on_q(day), organization=OuterRef("pk"))
    return {
        "c_org": Exists(covered),
        "c_single": Exists(covered.filter(kind=Coverage.Kind.OWN)),
        "c_instr": Exists(
            InstructorAssignment.objects.filter(valid_on_q(day), organization=OuterRef("pk"))
        ),
    }


MEASURE_Q = {
    "total": Q(),
    "organizational": Q(c_org=True),
    "single": Q(c_single=True),
    "work": Q(c_org=True) | Q(c_instr=True),
    "uncovered": Q(c_org=False),
    "no_work": Q(c_org=False, c_instr=False),
}


def units_behind(scope: Scope, day: datetime.date, measure: str) -> QuerySet[Organization]:
    """The units a figure counts (or, for "uncovered"/"no_work", the ones it misses). The
    flags filter without being selected (``alias``): selected, PostgreSQL hashed every
    coverage of the day three times for a page of 50 units (~100 ms at 100,000 units)."""
    return units(scope, day).alias(**flags(day)).filter(MEASURE_Q[measure])


def flags_sql(day: datetime.date, only: list[int] | None = None) -> tuple[str, list]:
    """One row per unit covered or instructed on ``day``: ``cov`` = covered by a party
    organization, ``own`` = by its own one (instructor rows count only towards work coverage).
    ``only``: of those units alone."""
    valid = "valid_from <= %s AND (valid_to IS NULL OR valid_to >= %s)"
    if only is not None:
        valid += f" AND organization_id IN ({id_list(only)})"
    sql = (
        "SELECT organization_id, MAX(own) AS own, MAX(cov) AS cov FROM ("  # noqa: S608
        "SELECT organization_id, CASE WHEN kind = %s THEN 1 ELSE 0 END AS own, 1 AS cov "
        f"FROM {Coverage._meta.db_table} WHERE {valid} "
        "UNION ALL SELECT organization_id, 0 AS own, 0 AS cov "
        f"FROM {InstructorAssignment._meta.db_table} WHERE {valid}"
        ") x GROUP BY organization_id"
    )
    return sql, [Coverage.Kind.OWN.value, day, day, day, day]


# The four figures of a group of units LEFT JOINed to the flags ``f``.
_FIGURES = "COUNT(*), COALESCE(SUM(f.cov), 0), COALESCE(SUM(f.own), 0), COUNT(f.organization_id)"


def _fetch(sql: str, params: list) -> list[tuple]:
    # ~10^5 small rows: one backend hashing them in memory is faster than parallel workers
    # that each rebuild the same hash tables (and spill at the default 4 MB).
    return fetch_all(
        sql, params, planner={"work_mem": "64MB", "max_parallel_workers_per_gather": "0"}
    )


def _counts(qs: QuerySet[Organization], day: datetime.date, group: str | None = None) -> dict:
    """{group value: [total, organizational, single, work]} of the units of ``qs`` on ``day``,
    in one pass: the units LEFT JOINed to one set of the day's coverage and instructor rows,
    aggregated once per unit (no correlated subquery per unit, no second count)."""
    if group:
        rows = qs.annotate(dim=F(group)).values("pk", "dim")
    else:
        rows = qs.annotate(dim=Value("")).values("pk", "dim")
    unit_sql, unit_params = rows.order_by().query.sql_with_params()
    flag_rows, flags_params = flags_sql(day)
    sql = (
        f"SELECT u.dim, {_FIGURES} FROM ({unit_sql}) u "  # noqa: S608
        f"LEFT JOIN ({flag_rows}) f ON f.organization_id = u.pk GROUP BY u.dim"
    )
    rows_ = _fetch(sql, [*unit_params, *flags_params])
    return {dim or "": [int(n) for n in nums] for dim, *nums in rows_}


@dataclass(frozen=True)
class Breakdowns:
    """The figures of a scope and of every dimension's values, from one query."""

    rates: Rates
    by: dict[str, list[tuple[str, Rates]]]


class Tally:
    """Figures being summed from groups of units: the total and, for each dimension's value,
    [total, organizational, single, work]. Groups may be taken out again (negative numbers:
    the kept figures follow a changed unit by its old part and its new one)."""

    def __init__(self, start: Breakdowns | None = None) -> None:
        self.total = [0, 0, 0, 0]
        self.sums: dict[str, dict[str, list[int]]] = {d: {} for d in DIMENSIONS}
        if start is not None:
            self.total = start.rates.numbers()
            for dimension, rows in start.by.items():
                self.sums[dimension] = {value: r.numbers() for value, r in rows}

    def add(self, dimension: str, value: str, nums: list[int]) -> None:
        into = self.sums[dimension].setdefault(value, [0, 0, 0, 0])
        into[:] = [a + b for a, b in zip(into, nums, strict=True)]

    def add_units(self, category: str, legal_form: str, district: str, nums: list[int]) -> None:
        """Units of one (category, legal form, district): the total and four dimensions."""
        self.total = [a + b for a, b in zip(self.total, nums, strict=True)]
        self.add("category", category or "", nums)
        self.add("legal_form", legal_form or "", nums)
        self.add("district", district or "", nums)
        self.add("sector", "enterprise" if legal_form == ENTERPRISE else "social", nums)

    def result(self) -> Breakdowns:
        """Each dimension's values in order, those with no unit left out."""
        by = {
            dimension: [(value, Rates(*nums)) for value, nums in sorted(values.items()) if nums[0]]
            for dimension, values in self.sums.items()
        }
        return Breakdowns(Rates(*self.total), by)


def all_breakdowns(scope: Scope, day: datetime.date | None = None) -> Breakdowns:
    """``compute`` and ``breakdown`` of every dimension at once: the units are grouped once by
    (category, legal form, district) — a few hundred groups — and by domain (a unit may have
    several), in ONE statement over one set of the day's flags; the rest is summed here. The
    figures are those of ``compute`` and ``breakdown`` (tests/rules/test_coverage.py)."""
    day = day or timezone.localdate()
    combos_sql, combos_params = (
        units(scope, day)
        .order_by()
        .values(uid=F("pk"), cat=F("category"), form=F("legal_form"), dist=F("district"))
        .query.sql_with_params()
    )
    flag_rows, flags_params = flags_sql(day)
    # The scope's units are found and joined to their flags once (``u``), then grouped twice:
    # by (category, legal form, district), and through the unit-domain table by domain (a
    # unit with none under NULL). Finding them a second time for the domains doubled the
    # statement (0.44 s at 100,000 units on PostgreSQL).
    links, domain = Organization.domains.through._meta.db_table, Domain._meta.db_table
    counted = "COUNT(*), COALESCE(SUM(u.cov), 0), COALESCE(SUM(u.own), 0), COUNT(u.fo)"
    sql = (
        f"WITH f AS ({flag_rows}), "  # noqa: S608
        "u AS (SELECT c.uid, c.cat, c.form, c.dist, f.cov, f.own, f.organization_id AS fo "
        f"FROM ({combos_sql}) c LEFT JOIN f ON f.organization_id = c.uid) "
        f"SELECT 0, u.cat, u.form, u.dist, {counted} FROM u GROUP BY u.cat, u.form, u.dist "
        f"UNION ALL SELECT 1, dm.name, NULL, NULL, {counted} FROM u "
        f"LEFT JOIN {links} l ON l.organization_id = u.uid "
        f"LEFT JOIN {domain} dm ON dm.id = l.domain_id GROUP BY dm.name"
    )
    rows = _fetch(sql, [*flags_params, *combos_params])
    tally = Tally()
    for domain_row, cat, form, dist, *figures in rows:
        nums = [int(n) for n in figures]
        if domain_row:
            tally.add("domain", cat or "", nums)
        else:
            tally.add_units(cat, form, dist, nums)
    return tally.result()


def figures(scope: Scope, day: datetime.date | None = None) -> Breakdowns:
    """``all_breakdowns``, kept per scope and day and followed as the facts change
    (``rules.coverage_kept``)."""
    from dangjian.rules import coverage_kept

    return coverage_kept.figures(scope, day)


def compute(scope: Scope, day: datetime.date | None = None) -> Rates:
    """One query: the scope's units of the day with their coverage flags, counted."""
    day = day or timezone.localdate()
    nums = _counts(units(scope, day), day).get("", [0, 0, 0, 0])
    return Rates(*nums)


def _dimension_field(dimension: str) -> str:
    return {"domain": "domains__name", "sector": "legal_form"}.get(dimension, dimension)


def breakdown(scope: Scope, day: datetime.date, dimension: str) -> list[tuple[str, Rates]]:
    """[(value, rates)] for each value of ``dimension`` within the scope (one GROUP BY)."""
    result = _counts(units(scope, day), day, _dimension_field(dimension))
    if dimension == "sector":
        merged = {"enterprise": [0, 0, 0, 0], "social": [0, 0, 0, 0]}
        for value, nums in result.items():
            key = "enterprise" if value == ENTERPRISE else "social"
            merged[key] = [a + b for a, b in zip(merged[key], nums, strict=True)]
        result = {k: v for k, v in merged.items() if v[0]}
    return [(value, Rates(*nums)) for value, nums in sorted(result.items())]


def month_ends(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    days = []
    year, month = start.year, start.month
    while True:
        nxt = datetime.date(year + (month == 12), month % 12 + 1, 1)
        last = nxt - datetime.timedelta(days=1)
        if last > end:
            break
        days.append(last)
        year, month = nxt.year, nxt.month
    return days


@transaction.atomic
def take_snapshot(federation: Federation, day: datetime.date) -> int:
    """Store (or refresh) the rates of ``federation``'s subtree on ``day``, whole and by every
    dimension. Returns the number of rows written."""
    from dangjian.rules.models import CoverageSnapshot

    figures = all_breakdowns(Scope(federation), day)
    rows = [("all", "", figures.rates)]
    for dimension in DIMENSIONS:
        rows += [(dimension, value, rates) for value, rates in figures.by[dimension]]
    CoverageSnapshot.objects.filter(federation=federation, day=day).delete()
    CoverageSnapshot.objects.bulk_create(
        [
            CoverageSnapshot(
                federation=federation,
                day=day,
                dimension=dimension,
                value=value,
                total=r.total,
                organizational=r.organizational,
                single=r.single,
                work=r.work,
            )
            for dimension, value, r in rows
        ]
    )
    return len(rows)


def take_monthly_snapshots(
    federation: Federation, start: datetime.date | None = None, end: datetime.date | None = None
) -> int:
    """Snapshots at every month end from ``start`` (the federation's founding) to ``end``
    (today) that are missing; past months are never recomputed unless asked (``refresh``)."""
    from dangjian.rules.models import CoverageSnapshot

    end = end or timezone.localdate()
    start = start or federation.founded_on or datetime.date(end.year - 5, 1, 1)
    have = set(
        CoverageSnapshot.objects.filter(federation=federation, dimension="all").values_list(
            "day", flat=True
        )
    )
    written = 0
    for day in month_ends(start, end):
        if day not in have:
            written += take_snapshot(federation, day)
    return written


def as_of(scope: Scope, day: datetime.date | None = None) -> Rates:
    """Rates from the snapshot of ``day`` when there is one (past month ends), else computed."""
    from dangjian.rules.models import CoverageSnapshot

    day = day or timezone.localdate()
    if day < timezone.localdate():
        filters = scope.filters()
        dimension, value = ("all", "")
        if len(filters) == 1:
            dimension, value = next(iter(filters.items()))
        if len(filters) <= 1:
            snap = CoverageSnapshot.objects.filter(
                federation=scope.federation, day=day, dimension=dimension, value=value
            ).first()
            if snap:
                return Rates(snap.total, snap.organizational, snap.single, snap.work)
    return figures(scope, day).rates


def trend(
    federation: Federation, today: datetime.date | None = None, today_rates: Rates | None = None
) -> list[dict]:
    """Month-end snapshots of the subtree before ``today``, then the figures of ``today``
    itself (live for the current day; a past day's own snapshot when there is one), or
    ``today_rates`` when the caller has just computed them (the coverage page)."""
    from dangjian.rules.models import CoverageSnapshot

    today = today or timezone.localdate()
    points = [
        {"day": s.day.isoformat(), **Rates(s.total, s.organizational, s.single, s.work).as_dict()}
        for s in CoverageSnapshot.objects.filter(
            federation=federation, dimension="all", day__lt=today
        ).order_by("day")
    ]
    rates = today_rates if today_rates is not None else as_of(Scope(federation), today)
    points.append({"day": today.isoformat(), **rates.as_dict()})
    return points
