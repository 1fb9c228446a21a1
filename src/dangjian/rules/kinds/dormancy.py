"""Dormant societies (DOMAIN.md §3.5) and abnormal-list proposals (§3.6), with the dormancy
helpers the empty-shell rule reuses. Each lists every condition met, with its evidence; each
condition is a set-based query, and the conditions are combined per subject in Python over the
(few) result rows. The annual-report deadlines are the rulebook's."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import DateField, Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest

from dangjian.core.sql import chunks
from dangjian.governance.models import CharterRevision, MajorDecision
from dangjian.inspections.models import AnnualInspection, Visit
from dangjian.orglife.models import Meeting
from dangjian.party.models import Coverage
from dangjian.registry.models import Membership, Organization
from dangjian.rulebook import deadlines
from dangjian.rulebook.periods import add_months
from dangjian.rules.asof import AS_OF, months_since
from dangjian.rules.kinds import base
from dangjian.rules.kinds.base import cached
from dangjian.rules.kinds.formation import required_not_formed_rows
from dangjian.rules.registry import MEETINGS, Candidate, Touched, kind

EPOCH = datetime.date(1900, 1, 1)


def last_due_year(day: datetime.date) -> int:
    """The latest work year whose annual report was due (to the registrar) before ``day``."""
    year = day.year - 1
    while deadlines.registrar_deadline(year) >= day:
        year -= 1
    return year


def _social(ctx, units=None):
    """Social organizations among the member units (``units``: these alone, an incremental
    run)."""
    qs = base.member_units(ctx).exclude(legal_form=Organization.LegalForm.ENTERPRISE)
    return qs if units is None else qs.filter(pk__in=sorted(units))


def _obliged(ctx, qs, year: int):
    """Units that owed the annual report for ``year``: members by 31 December of that year, not
    registered within six months of it."""
    cutoff = deadlines.exemption_cutoff(year)
    joined = Membership.objects.filter(
        organization=OuterRef("pk"),
        federation_id__in=ctx.federation_ids,
        valid_from__lte=datetime.date(year, 12, 31),
    )
    return qs.filter(Exists(joined)).filter(Q(founded_on__isnull=True) | Q(founded_on__lt=cutoff))


def missing_reports(ctx, years: list[int], registrar_only: bool, units=None) -> dict[int, tuple]:
    """{unit id: (fed id,)} for social organizations with no report received for any of
    ``years`` (by the day), among those that owed every one of them."""
    if not years:
        return {}
    day = ctx.as_of
    # Only where the federation keeps annual inspections for those years: a federation that
    # does not use the inspection ledger would otherwise see every unit as missing its report.
    # (One probe of the (year, unit) index per year: a DISTINCT over the years' rows joined
    # to the members read every report of those years, ~80 ms at 100,000 units.)
    for year in years:
        if not AnnualInspection.objects.filter(
            year=year, organization__memberships__federation_id__in=ctx.federation_ids
        ).exists():
            return {}
    received = Q(report_to_registrar_on__lte=day) | Q(exempt=True)
    if not registrar_only:
        received |= Q(report_to_supervisor_on__lte=day)
    reports = AnnualInspection.objects.filter(received, organization=OuterRef("pk"), year__in=years)
    qs = _obliged(ctx, _social(ctx, units), min(years)).filter(~Exists(reports))
    return {pk: fed for pk, fed in qs.values_list("pk", "fed_id")}


def unreachable(ctx, units=None) -> dict[int, dict]:
    """{unit id: visit evidence} where the latest visit found it unreachable at its address."""
    latest = Visit.objects.filter(organization=OuterRef("pk"), visited_on__lte=ctx.as_of).order_by(
        "-visited_on", "-pk"
    )
    rows = (
        _social(ctx, units)
        # The units never visited set aside by one probe each: the latest visit's three
        # subqueries only for the others (for every unit, ~100 ms at 100,000 units).
        .filter(Exists(latest))
        .annotate(
            unreachable=Subquery(latest.values("unreachable_at_address")[:1]),
            visited_on=Subquery(latest.values("visited_on")[:1]),
            visitors=Subquery(latest.values("visitors")[:1]),
        )
        .filter(unreachable=True)
        .values_list("pk", "fed_id", "visited_on", "visitors")
    )
    return {
        pk: {"fed": fed, "visited_on": base.fmt(on), "visitors": who} for pk, fed, on, who in rows
    }


def inactive(ctx, months: int, units=None) -> dict[int, dict]:
    """{unit id: evidence} for social organizations with nothing recorded for ``months``: no
    joining, decision, charter revision, annual report, visit finding it active, or meeting of a
    party organization covering it.

    Two steps: the quiet units, in one statement where each source is a probe of the unit's
    rows in the window (the most common activity first, so that most units are set aside by
    their first probe; never a scan of every meeting); then only the few left have their latest
    activity looked up, for the evidence. (Each source's active units read into a set and
    subtracted in Python was ~0.5 s at 100,000 units: most units are active somewhere.)"""
    day = ctx.as_of
    since = add_months(day, -months)
    unit = OuterRef("pk")

    def within(field):
        return {f"{field}__gte": since, f"{field}__lte": day}

    met = Meeting.objects.filter(
        party_organization=OuterRef("party_organization_id"),
        status=Meeting.Status.HELD,  # a plan is not activity
        **within("held_on"),
    )
    sources = [
        MajorDecision.objects.filter(organization=unit, **within("decided_on")),
        AnnualInspection.objects.filter(
            Q(**within("report_to_registrar_on")) | Q(**within("report_to_supervisor_on")),
            organization=unit,
        ),
        Coverage.objects.filter(Exists(met), organization=unit),
        CharterRevision.objects.filter(organization=unit, **within("adopted_on")),
        Membership.objects.filter(organization=unit, **within("valid_from")),
        Visit.objects.filter(
            organization=unit, unreachable_at_address=False, **within("visited_on")
        ),
    ]
    nothing_recorded = _social(ctx, units).order_by()
    for source in sources:
        nothing_recorded = nothing_recorded.filter(~Exists(source))
    quiet = list(nothing_recorded.values_list("pk", flat=True))
    result = {}
    for chunk in chunks(quiet, 500):
        for pk, fed, last in last_activity(ctx, chunk):
            if last < since:  # always, unless a fact changed meanwhile
                result[pk] = {
                    "fed": fed,
                    "last_activity": base.fmt(last if last != EPOCH else None),
                    "last": last if last != EPOCH else None,
                }
    return result


def last_activity(ctx, ids) -> list[tuple[int, int, datetime.date]]:
    """[(unit id, fed id, day of its latest activity or EPOCH)] for the given units."""
    day = ctx.as_of
    ref = OuterRef("pk")

    def latest(qs, field):
        return Coalesce(
            Subquery(qs.filter(**{f"{field}__lte": day}).order_by(f"-{field}").values(field)[:1]),
            Value(EPOCH),
            output_field=DateField(),
        )

    activity = [
        latest(Membership.objects.filter(organization=ref), "valid_from"),
        latest(MajorDecision.objects.filter(organization=ref), "decided_on"),
        latest(CharterRevision.objects.filter(organization=ref), "adopted_on"),
        latest(
            Meeting.objects.filter(
                party_organization__coverages__organization=ref, status=Meeting.Status.HELD
            ),
            "held_on",
        ),
        latest(AnnualInspection.objects.filter(organization=ref), "report_to_registrar_on"),
        latest(AnnualInspection.objects.filter(organization=ref), "report_to_supervisor_on"),
        latest(Visit.objects.filter(organization=ref, unreachable_at_address=False), "visited_on"),
    ]
    return list(
        _social(ctx)
        .filter(pk__in=list(ids))
        .annotate(last_activity=Greatest(*activity))
        .values_list("pk", "fed_id", "last_activity")
    )


def dormant_units(ctx, params, units=None) -> dict[int, dict]:
    """{unit id: {"fed", "conditions": [...]}} — every condition met, with evidence;
    ``units``: judge these alone (an incremental run: each condition is the unit's own)."""
    if units is not None:
        return _dormant_units(ctx, params, units)
    return cached(ctx, base.DORMANT, params, lambda: _dormant_units(ctx, params))


def units_of_touched(touched: Touched) -> set[int] | None:
    """The units whose dormancy a meeting of a touched party organization can move: every
    unit it ever covered (``inactive`` and ``last_activity`` read meetings through any
    coverage), and the units touched themselves."""
    pos = {po for po, _, _ in touched if po is not None}
    units = {org for po, org, _ in touched if po is None and org is not None}
    if any(po is None and org is None for po, org, _ in touched):
        return None
    for chunk in chunks(sorted(pos), 500):
        units.update(
            Coverage.objects.filter(party_organization_id__in=chunk)
            .order_by()
            .values_list("organization_id", flat=True)
        )
    return units


def _dormant_units(ctx, params, units=None) -> dict[int, dict]:
    day = ctx.as_of
    found: dict[int, dict] = defaultdict(lambda: {"conditions": []})
    n = params["missing_report_years"]
    last = last_due_year(day)
    years = list(range(last - n + 1, last + 1))
    for pk, fed in missing_reports(ctx, years, registrar_only=False, units=units).items():
        found[pk]["fed"] = fed
        found[pk]["conditions"].append(
            {
                "code": "no_annual_report",
                "years": years,
                "text": f"{years[0]}—{years[-1]} 年度连续 {n} 年未报送年度工作报告（年检）",
            }
            if n > 1
            else {
                "code": "no_annual_report",
                "years": years,
                "text": f"{years[0]} 年度未报送年度工作报告（年检）",
            }
        )
    for pk, info in inactive(ctx, params["inactive_months"], units).items():
        found[pk]["fed"] = info["fed"]
        text = (
            f"最近一次活动记录为 {info['last_activity']}，已 {months_since(info['last'])} 个月无活动记录"
            if info["last"] is not None
            else "没有任何活动记录"
        )
        found[pk]["conditions"].append(
            {"code": "inactive", "last_activity": info["last_activity"], "text": text}
        )
    for pk, info in unreachable(ctx, units).items():
        found[pk]["fed"] = info["fed"]
        found[pk]["conditions"].append(
            {
                "code": "unreachable",
                "visited_on": info["visited_on"],
                "text": f"{info['visited_on']} 走访（{info['visitors']}）时在登记住所无法联系",
            }
        )
    return dict(found)


def conditions_candidate(subject: dict, *, lead: str, **ids) -> Candidate:
    conditions = subject["conditions"]
    listed = "；".join(f"（{i}）{c['text']}" for i, c in enumerate(conditions, 1))
    return Candidate(
        federation_id=subject["fed"],
        explanation=f"截至 {AS_OF}，{lead}，符合 {len(conditions)} 项条件：{listed}。",
        evidence={"conditions": conditions},
        facts={"conditions": sorted(c["code"] for c in conditions)},
        **ids,
    )


@kind(
    "dormant_society",
    reads=(MEETINGS,),
    subject="organization",
    widen=units_of_touched,
    shares=(base.DORMANT,),
)
def dormant_society(ctx):
    for pk, subject in sorted(dormant_units(ctx, ctx.params, ctx.only).items()):
        yield conditions_candidate(subject, lead="该社会组织疑似休眠", organization_id=pk)


# Reads no meeting: reports, 应建未建 and visits only (a meeting re-evaluates nothing of it).
@kind(
    "abnormal_list_proposal", reads=(), kept_coverage=True, shares=(base.REQUIRED, base.UNCOVERED)
)
def abnormal_list_proposal(ctx):
    """Conditions of 民政部令第60号 the ledger can see; a person confirms any listing."""
    day = ctx.as_of
    found: dict[int, dict] = defaultdict(lambda: {"conditions": []})
    year = last_due_year(day)
    deadline = deadlines.registrar_deadline(year)
    for pk, fed in missing_reports(ctx, [year], registrar_only=True).items():
        found[pk]["fed"] = fed
        found[pk]["conditions"].append(
            {
                "code": "annual_report_not_filed",
                "year": year,
                "deadline": base.fmt(deadline),
                "text": f"{year} 年度报告应于 {base.fmt(deadline)} 前报送登记管理机关，至今未报送",
            }
        )
    formation = ctx.other_params("formation.required_not_formed")
    required = cached(
        ctx, base.REQUIRED, formation, lambda: required_not_formed_rows(ctx, formation)
    )
    social_ids = set(
        _social(ctx).filter(pk__in=[r["id"] for r in required]).values_list("pk", flat=True)
    )
    for row in required:
        if row["id"] not in social_ids:
            continue
        found[row["id"]]["fed"] = row["fed"]
        found[row["id"]]["conditions"].append(
            {
                "code": "no_party_organization",
                "full_members": row["full"],
                "text": f"有正式党员 {row['full']} 名，按规定应建立党组织而未建立（自 {base.fmt(row['since'])} 起）",
            }
        )
    for pk, info in unreachable(ctx).items():
        found[pk]["fed"] = info["fed"]
        found[pk]["conditions"].append(
            {
                "code": "unreachable",
                "visited_on": info["visited_on"],
                "text": f"{info['visited_on']} 走访时在登记住所无法联系",
            }
        )
    for pk, subject in sorted(found.items()):
        yield conditions_candidate(
            subject,
            lead="该社会组织符合列入活动异常名录的情形，建议经人工核实后决定是否列入",
            organization_id=pk,
        )
