"""Composite rules: the four standards, empty-shell branches (§3.4), dormant societies (§3.5)
and abnormal-list proposals (§3.6). Each lists every condition met, with its evidence; each
condition is a set-based query, and the conditions are combined per subject in Python over the
(few) result rows."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import (
    BooleanField,
    DateField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest

from dangjian.core.models import valid_on_q
from dangjian.governance.models import CharterRevision, MajorDecision
from dangjian.orglife.models import Meeting
from dangjian.party.models import Coverage, InstructorAssignment, PartyOrganization
from dangjian.registry.models import Membership, Organization
from dangjian.rulebook.periods import add_months, months_between
from dangjian.rules.engine import Candidate, kind
from dangjian.rules.kinds import base
from dangjian.rules.kinds.base import cached
from dangjian.rules.kinds.formation import required_not_formed_rows

K = PartyOrganization.Kind
BRANCH_KINDS = [K.BRANCH, K.JOINT_BRANCH, K.GENERAL_BRANCH]
EPOCH = datetime.date(1900, 1, 1)


def _inspections():
    try:
        from dangjian.inspections.models import AnnualInspection, Visit
        from dangjian.rulebook import deadlines
    except ImportError:  # pragma: no cover — the inspections app is optional for the engine
        return None
    return AnnualInspection, Visit, deadlines


def last_due_year(day: datetime.date) -> int:
    """The latest work year whose annual report was due (to the registrar) before ``day``."""
    mod = _inspections()
    deadline = mod[2].registrar_deadline if mod else (lambda y: datetime.date(y + 1, 5, 31))
    year = day.year - 1
    while deadline(year) >= day:
        year -= 1
    return year


def _social(ctx):
    return base.member_units(ctx).exclude(legal_form=Organization.LegalForm.ENTERPRISE)


def _obliged(ctx, qs, year: int):
    """Units that owed the annual report for ``year``: members by 31 December of that year, not
    registered within six months of it."""
    mod = _inspections()
    cutoff = mod[2].exemption_cutoff(year) if mod else datetime.date(year, 6, 30)
    joined = Membership.objects.filter(
        organization=OuterRef("pk"),
        federation_id__in=ctx.federation_ids,
        valid_from__lte=datetime.date(year, 12, 31),
    )
    return qs.filter(Exists(joined)).filter(Q(founded_on__isnull=True) | Q(founded_on__lt=cutoff))


def missing_reports(ctx, years: list[int], registrar_only: bool) -> dict[int, tuple]:
    """{unit id: (fed id,)} for social organizations with no report received for any of
    ``years`` (by the day), among those that owed every one of them."""
    mod = _inspections()
    if mod is None or not years:
        return {}
    AnnualInspection = mod[0]
    day = ctx.as_of
    # Only where the federation keeps annual inspections for those years: a federation that
    # does not use the inspection ledger would otherwise see every unit as missing its report.
    kept = set(
        AnnualInspection.objects.filter(
            year__in=years,
            organization__memberships__federation_id__in=ctx.federation_ids,
        )
        .order_by()
        .values_list("year", flat=True)
        .distinct()
    )
    if kept != set(years):
        return {}
    received = Q(report_to_registrar_on__lte=day) | Q(exempt=True)
    if not registrar_only:
        received |= Q(report_to_supervisor_on__lte=day)
    reports = AnnualInspection.objects.filter(received, organization=OuterRef("pk"), year__in=years)
    qs = _obliged(ctx, _social(ctx), min(years)).filter(~Exists(reports))
    return {pk: fed for pk, fed in qs.values_list("pk", "fed_id")}


def unreachable(ctx) -> dict[int, dict]:
    """{unit id: visit evidence} where the latest visit found it unreachable at its address."""
    mod = _inspections()
    if mod is None:
        return {}
    Visit = mod[1]
    latest = Visit.objects.filter(organization=OuterRef("pk"), visited_on__lte=ctx.as_of).order_by(
        "-visited_on", "-pk"
    )
    rows = (
        _social(ctx)
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


def inactive(ctx, months: int) -> dict[int, dict]:
    """{unit id: evidence} for social organizations with nothing recorded for ``months``: no
    joining, decision, charter revision, annual report, visit finding it active, or meeting of a
    party organization covering it.

    Two steps: the units with any activity in the window (one cheap range query per source;
    meetings by an index probe per party organization, never a scan of every meeting) are set
    aside; only the few left have their latest activity looked up, for the evidence."""
    day = ctx.as_of
    since = add_months(day, -months)

    def within(field):
        return {f"{field}__gte": since, f"{field}__lte": day}

    met = Meeting.objects.filter(
        party_organization=OuterRef("party_organization_id"), **within("held_on")
    )
    sources = [
        Membership.objects.filter(**within("valid_from")),
        MajorDecision.objects.filter(**within("decided_on")),
        CharterRevision.objects.filter(**within("adopted_on")),
        Coverage.objects.filter(Exists(met)),
    ]
    mod = _inspections()
    if mod:
        AnnualInspection, Visit, _ = mod
        sources += [
            AnnualInspection.objects.filter(
                Q(**within("report_to_registrar_on")) | Q(**within("report_to_supervisor_on"))
            ),
            Visit.objects.filter(unreachable_at_address=False, **within("visited_on")),
        ]
    active = set()
    for qs in sources:
        active.update(qs.order_by().values_list("organization_id", flat=True).distinct())
    quiet = [pk for pk in _social(ctx).values_list("pk", flat=True) if pk not in active]
    result = {}
    for chunk in _chunks(quiet, 500):
        for pk, fed, last in last_activity(ctx, chunk):
            if last < since:  # always, unless a fact changed meanwhile
                result[pk] = {
                    "fed": fed,
                    "last_activity": base.fmt(last if last != EPOCH else None),
                    "months": months_between(last, day) if last != EPOCH else None,
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
        latest(Meeting.objects.filter(party_organization__coverages__organization=ref), "held_on"),
    ]
    mod = _inspections()
    if mod:
        AnnualInspection, Visit, _ = mod
        activity += [
            latest(AnnualInspection.objects.filter(organization=ref), "report_to_registrar_on"),
            latest(AnnualInspection.objects.filter(organization=ref), "report_to_supervisor_on"),
            latest(
                Visit.objects.filter(organization=ref, unreachable_at_address=False), "visited_on"
            ),
        ]
    return list(
        _social(ctx)
        .filter(pk__in=list(ids))
        .annotate(last_activity=Greatest(*activity))
        .values_list("pk", "fed_id", "last_activity")
    )


def _chunks(items, size):
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i : i + size]


def dormant_units(ctx, params) -> dict[int, dict]:
    return cached(ctx, "dormant", params, lambda: _dormant_units(ctx, params))


def _dormant_units(ctx, params) -> dict[int, dict]:
    """{unit id: {"fed", "conditions": [...]}} — every condition met, with evidence."""
    day = ctx.as_of
    found: dict[int, dict] = defaultdict(lambda: {"conditions": []})
    n = params["missing_report_years"]
    last = last_due_year(day)
    years = list(range(last - n + 1, last + 1))
    for pk, fed in missing_reports(ctx, years, registrar_only=False).items():
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
    for pk, info in inactive(ctx, params["inactive_months"]).items():
        found[pk]["fed"] = info["fed"]
        text = (
            f"最近一次活动记录为 {info['last_activity']}，已 {info['months']} 个月无活动记录"
            if info["months"] is not None
            else "没有任何活动记录"
        )
        found[pk]["conditions"].append(
            {"code": "inactive", "last_activity": info["last_activity"], "text": text}
        )
    for pk, info in unreachable(ctx).items():
        found[pk]["fed"] = info["fed"]
        found[pk]["conditions"].append(
            {
                "code": "unreachable",
                "visited_on": info["visited_on"],
                "text": f"{info['visited_on']} 走访（{info['visitors']}）时在登记住所无法联系",
            }
        )
    return dict(found)


def _conditions_candidate(subject: dict, *, lead: str, day, **ids) -> Candidate:
    conditions = subject["conditions"]
    listed = "；".join(f"（{i}）{c['text']}" for i, c in enumerate(conditions, 1))
    return Candidate(
        federation_id=subject["fed"],
        explanation=f"截至 {base.fmt(day)}，{lead}，符合 {len(conditions)} 项条件：{listed}。",
        evidence={"conditions": conditions, "as_of": base.fmt(day)},
        facts={"conditions": sorted(c["code"] for c in conditions)},
        **ids,
    )


@kind("dormant_society")
def dormant_society(ctx):
    for pk, subject in sorted(dormant_units(ctx, ctx.params).items()):
        yield _conditions_candidate(
            subject, lead="该社会组织疑似休眠", day=ctx.as_of, organization_id=pk
        )


@kind("abnormal_list_proposal")
def abnormal_list_proposal(ctx):
    """Conditions of 民政部令第60号 the ledger can see; a person confirms any listing."""
    day = ctx.as_of
    found: dict[int, dict] = defaultdict(lambda: {"conditions": []})
    year = last_due_year(day)
    mod = _inspections()
    deadline = mod[2].registrar_deadline(year) if mod else datetime.date(year + 1, 5, 31)
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
    required = cached(ctx, "required", formation, lambda: required_not_formed_rows(ctx, formation))
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
        yield _conditions_candidate(
            subject,
            lead="该社会组织符合列入活动异常名录的情形，建议经人工核实后决定是否列入",
            day=day,
            organization_id=pk,
        )


@kind("standards_incomplete")
def standards_incomplete(ctx):
    """有批文、派遣指导员有通知、覆盖有明细. The secretary (有书记) is the secretary_vacant
    rule's finding and is not reported twice."""
    day = ctx.as_of
    # Party orgs with a dispatch notice for a unit they cover: one uncorrelated set.
    with_notice = Coverage.objects.filter(
        organization__in=InstructorAssignment.objects.filter(valid_from__lte=day)
        .exclude(notice_no="")
        .values("organization")
    ).values("party_organization")
    with_units = Coverage.objects.filter(valid_on_q(day)).values("party_organization")
    with_children = PartyOrganization.objects.filter(valid_on_q(day), parent__isnull=False).values(
        "parent"
    )
    no_notice = Q(formation_mode=PartyOrganization.FormationMode.INSTRUCTOR_DRIVEN) & ~Q(
        pk__in=with_notice
    )
    no_units = Q(kind__in=BRANCH_KINDS) & ~Q(pk__in=with_units) & ~Q(pk__in=with_children)
    rows = [
        (pk, fed, doc, mode, has_notice, po_kind, 0 if lacks_units else 1, False)
        for pk, fed, doc, mode, po_kind, has_notice, lacks_units in base.party_orgs(ctx)
        .filter(Q(approval_doc_no="") | no_notice | no_units)
        .annotate(
            has_notice=ExpressionWrapper(~no_notice, output_field=BooleanField()),
            lacks_units=ExpressionWrapper(no_units, output_field=BooleanField()),
        )
        .values_list(
            "pk",
            "federation_id",
            "approval_doc_no",
            "formation_mode",
            "kind",
            "has_notice",
            "lacks_units",
        )
    ]
    for pk, fed, doc, mode, has_notice, po_kind, units_now, has_children in rows:
        missing = []
        if not doc:
            missing.append({"code": "approval", "text": "无成立批复文件（批文）文号"})
        if mode == PartyOrganization.FormationMode.INSTRUCTOR_DRIVEN and not has_notice:
            missing.append(
                {
                    "code": "instructor_notice",
                    "text": "以选派党建指导员方式组建，但无指导员派遣通知记录",
                }
            )
        if po_kind in BRANCH_KINDS and units_now == 0 and not has_children:
            missing.append({"code": "coverage", "text": "没有覆盖单位明细（当前未覆盖任何单位）"})
        listed = "；".join(f"（{i}）{m['text']}" for i, m in enumerate(missing, 1))
        yield Candidate(
            federation_id=fed,
            party_organization_id=pk,
            explanation=f"截至 {base.fmt(day)}，该党组织“四有”标准缺 {len(missing)} 项：{listed}。",
            evidence={"missing": missing},
            facts={"missing": [m["code"] for m in missing]},
        )


@kind("empty_branch")
def empty_branch(ctx):
    day, p = ctx.as_of, ctx.params
    found: dict[int, dict] = defaultdict(lambda: {"conditions": []})
    branches = base.party_orgs(ctx).filter(kind__in=BRANCH_KINDS)
    # (1) no organizational life for the given months.
    quiet_since = add_months(day, -p["no_orglife_months"])
    # Quiet branches first (one index probe each for a meeting in the window), then the last
    # meeting of those few only (the newest entry of the (party org, held_on) index).
    recent = Meeting.objects.filter(
        party_organization=OuterRef("pk"), held_on__gte=quiet_since, held_on__lte=day
    )
    last_meeting = (
        Meeting.objects.filter(party_organization=OuterRef("pk"), held_on__lte=day)
        .order_by("-held_on")
        .values("held_on")[:1]
    )
    rows = (
        branches.filter(valid_from__lte=quiet_since)
        .filter(~Exists(recent))
        .annotate(last=Subquery(last_meeting, output_field=DateField()))
        .values_list("pk", "federation_id", "last")
    )
    for pk, fed, last in rows:
        found[pk]["fed"] = fed
        text = (
            f"最近一次组织生活记录为 {base.fmt(last)}，已 {months_between(last, day)} 个月"
            f"（{(day - last).days} 天）没有组织生活"
            if last
            else "没有任何组织生活记录"
        )
        found[pk]["conditions"].append(
            {"code": "no_orglife", "last_meeting": base.fmt(last), "text": text}
        )
    # (2) secretary vacant for the given months.
    vacant_since = add_months(day, -p["secretary_vacant_months"])
    branch_ids = set(branches.values_list("pk", flat=True))
    for pk, info in base.secretary_vacancies(ctx).items():
        if pk not in branch_ids or info["since"] > vacant_since:
            continue
        found[pk]["fed"] = info["fed"]
        found[pk]["conditions"].append(
            {
                "code": "secretary_vacant",
                "since": base.fmt(info["since"]),
                "text": f"书记自 {base.fmt(info['since'])} 起空缺已 {months_between(info['since'], day)} 个月",
            }
        )
    # (3) a single-unit branch with fewer full members than a branch needs.
    need = p["min_full_members_single_unit"]
    counts = base.relation_counts(ctx)
    rows = [
        (pk, fed, counts.get(pk, 0))
        for pk, fed in branches.filter(kind=K.BRANCH)
        .annotate(units=base.coverage_count(day))
        .filter(units=1)
        .values_list("pk", "federation_id")
        if counts.get(pk, 0) < need
    ]
    for pk, fed, full in rows:
        found[pk]["fed"] = fed
        found[pk]["conditions"].append(
            {
                "code": "too_few_members",
                "full_members": full,
                "text": f"单独组建的党支部只有正式党员 {full} 名（不足 {need} 名）",
            }
        )
    # (4) every unit it covered has left the federation or is dormant.
    dormant = set(dormant_units(ctx, ctx.other_params("dormancy.dormant_society")))
    # Branches with a live unit: covered on the day, a member somewhere, not dormant. The
    # dormant set is applied to the (branch, unit) rows in Python rather than as a huge IN list.
    live = set()
    for po_id, org_id in (
        Coverage.objects.filter(
            valid_on_q(day),
            party_organization__in=branches.values("pk"),
            organization__in=Membership.objects.filter(valid_on_q(day)).values("organization"),
        )
        .order_by()
        .values_list("party_organization_id", "organization_id")
    ):
        if org_id not in dormant:
            live.add(po_id)
    rows = [
        (pk, fed)
        for pk, fed in branches.filter(
            Exists(Coverage.objects.filter(party_organization=OuterRef("pk"), valid_from__lte=day))
        ).values_list("pk", "federation_id")
        if pk not in live
    ]
    for pk, fed in rows:
        found[pk]["fed"] = fed
        found[pk]["conditions"].append(
            {"code": "units_gone", "text": "所覆盖的单位均已退出联合会或处于休眠状态"}
        )
    for pk, subject in sorted(found.items()):
        yield _conditions_candidate(
            subject, lead="该党支部疑似空壳支部", day=day, party_organization_id=pk
        )
