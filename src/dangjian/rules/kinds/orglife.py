"""Organizational life (DOMAIN.md §3.3): each required meeting kind in each period; and the
empty-shell branch (空壳支部, §3.4), judged on the same meetings, posts, members and units.

**Periods.** Requirements are per calendar month, quarter or year. A party organization owes a
period only when it existed for the *whole* period: the period of its founding (unless founded
on the period's first day) and the period it was dissolved in are not required — a branch
formed on 20 March owes no first-quarter general meeting. The still-running period (the one
containing the "as of" day, unless that day is its last) is never flagged. Each period is judged
by the rule revision in force on its last day.

**Findings** are one per party organization and calendar year, listing the missing periods of
each kind; the "as of" year and ``lookback_years`` years before it are checked on each run.

**Set-based.** One grouped statement reads the yearly counts of counted meetings
(``orglife.MeetingCount``, kept by the meeting writers: the months held as bits) of the checked
years — no meeting row — and joins each (party organization, meeting kind)'s years into one bit
mask of months; the masks
meet each organization's window, and only the pairs with a period owed and not held come
back, with their masks, from which the missing periods are listed (``_short_sql``).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any, cast

from django.db import connection
from django.db.models import DateField, Exists, OuterRef, Subquery

from dangjian.core.models import valid_on_q
from dangjian.core.sql import chunks, id_list
from dangjian.orglife.models import Meeting, MeetingCount
from dangjian.party.models import Coverage, PartyOrganization, Position
from dangjian.registry.models import Membership
from dangjian.rulebook.periods import (
    STEP,
    add_months,
    period_bounds,
    period_code,
    period_index,
    period_label,
    sql_first_full_period,
    sql_last_full_period,
)
from dangjian.rules.asof import AS_OF, days_since, months_since
from dangjian.rules.kinds import base, records
from dangjian.rules.kinds.dormancy import conditions_candidate, dormant_units, units_of_touched
from dangjian.rules.registry import MEETINGS, Candidate, kind

K = PartyOrganization.Kind

# The meeting kinds a requirement may name (an override naming another is not judged), in the
# order a finding lists them; their words are the integrity rules' (``records.KIND_ZH``).
REQUIRED_KINDS = (
    "general_meeting",
    "committee_meeting",
    "group_meeting",
    "party_lesson",
    "theme_day",
    "life_meeting",
    "democratic_review",
)
KIND_ZH = {k: records.KIND_ZH[k] for k in REQUIRED_KINDS}
PERIOD_ZH = {"month": "个月", "quarter": "个季度", "year": "年"}
PERIOD_EVERY_ZH = {"month": "每月", "quarter": "每季度", "year": "每年"}
FAR = 10**7
# Only meetings that count as the required one — held (not merely planned) and, where a
# quorum applies, valid (orglife.services.counts.settle keeps ``Meeting.counts``) — are in the
# yearly counts the rule reads (orglife.MeetingCount, kept by every meeting writer).


def window_start(revision, as_of: datetime.date) -> datetime.date:
    return datetime.date(as_of.year - revision.parameters.get("lookback_years", 1), 1, 1)


def _window_sql(ctx, periods, lo_day, hi_day, bounds, only_ids=None, posts=True):
    """Each party organization's window of owed periods, and (``posts``: some requirement
    needs a committee) its committee posts held on the last day: a count per organization
    that no requirement of one kind without a committee reads."""
    po = PartyOrganization._meta.db_table
    pos = Position._meta.db_table
    cols = []
    for p in periods:
        glo, ghi = bounds[p]
        # Most organizations were founded before the checked periods and not dissolved in
        # them: a comparison of dates answers for them, and the period of a date is computed
        # for the others alone (at 100,000 units the date arithmetic of every row was most of
        # the window's cost). first_full(d) <= glo exactly when d is on or before period
        # glo's first day; last_full(d) >= ghi when d is on or after period ghi's last.
        first = sql_first_full_period("po.valid_from", p)
        last = sql_last_full_period("po.valid_to", p)
        starts, ends = f"'{period_bounds(glo, p)[0]}'", f"'{period_bounds(ghi, p)[1]}'"
        # (A CASE's conditions are tried in order: the arithmetic is skipped where a date
        # answers.)
        cols.append(
            f"CASE WHEN po.valid_from <= {starts} THEN {glo} WHEN {first} < {glo} THEN {glo} "
            f"ELSE {first} END AS lo_{p}"
        )
        cols.append(
            f"CASE WHEN po.valid_to IS NULL OR po.valid_to >= {ends} THEN {ghi} "
            f"WHEN {last} > {ghi} THEN {ghi} ELSE {last} END AS hi_{p}"
        )
    fed_marks = ", ".join(["%s"] * len(ctx.federation_ids))
    if ctx.only is not None:  # an incremental run: the touched organizations only
        only_ids = sorted(ctx.only if only_ids is None else set(only_ids) & ctx.only)
    held_on_day = "pp.valid_from <= %s AND (pp.valid_to IS NULL OR pp.valid_to >= %s)"
    counted, joined = "0", ""
    if posts and only_ids is None:
        # Every organization's posts: one grouped pass over the posts held that day (a probe
        # per organization was 180 ms of the statement's 1 s at 100,000 units, PostgreSQL).
        counted = "COALESCE(n.posts, 0)"
        joined = (
            f"LEFT JOIN (SELECT pp.party_organization_id AS po, COUNT(*) AS posts "  # noqa: S608
            f"FROM {pos} pp WHERE {held_on_day} GROUP BY pp.party_organization_id) n "
            "ON n.po = po.id "
        )
    elif posts:  # a few organizations: a probe each
        counted = (
            f"(SELECT COUNT(*) FROM {pos} pp WHERE pp.party_organization_id = po.id "  # noqa: S608
            f"AND {held_on_day})"
        )
    sql = (
        f"SELECT po.id AS id, po.kind AS kind, po.federation_id AS fed, {', '.join(cols)}, "  # noqa: S608
        f"{counted} AS posts "
        f"FROM {po} po {joined}WHERE po.federation_id IN ({fed_marks}) "
        f"AND po.valid_from <= %s AND (po.valid_to IS NULL OR po.valid_to >= %s)"
    )
    if only_ids is not None:
        sql += f" AND po.id IN ({id_list(only_ids)})"
    params = [*([hi_day, hi_day] if posts else []), *ctx.federation_ids, hi_day, lo_day]
    return sql, params


# Months per block of a held-months mask: a multiple of every period's length (1, 3, 12), and
# small enough that a mask and the arithmetic on it stay within a signed 64-bit integer.
BLOCK = 48


def _either(a: str, b: str, op: str) -> str:
    """``a`` or ``b``, whichever is greater (``op`` ">") or smaller ("<"): GREATEST and LEAST
    are spelt differently on the two databases, a CASE is the same."""
    return f"(CASE WHEN {a} {op} {b} THEN {a} ELSE {b} END)"


def _every(step: int, n: str) -> str:
    """A mask with one bit at every ``step``-th position, ``n`` of them: the first month of
    ``n`` consecutive periods ((2^(step·n) − 1) / (2^step − 1), a geometric series)."""
    return f"(((CAST(1 AS BIGINT) << ({step} * ({n}))) - 1) / {(1 << step) - 1})"


def _applies_sql(reqs, min_posts: int, org: str = "w.kind", req: str = "k.kind") -> str:
    """``applicable`` in SQL: the (organization, requirement) pairs a requirement applies to
    (its organization kinds; a committee where it needs one), over the organization kind
    column ``org`` (its row's ``posts`` beside it) and the requirement's ``req``. The others
    are not judged (a branch without a committee owes no committee meeting). Only known
    organization kinds reach the text."""
    known = set(PartyOrganization.Kind.values)
    parts = []
    for k, r in reqs.items():
        kinds = ", ".join(f"'{v}'" for v in r.get("applies_to", []) if v in known) or "NULL"
        cond = f"{req} = '{k}' AND {org} IN ({kinds})"
        if r.get("needs_committee"):
            posts = org.rsplit(".", 1)[0] + ".posts"
            cond += f" AND {posts} >= {int(min_posts)}"
        parts.append(f"({cond})")
    return " OR ".join(parts)


def _short_sql(window_sql, reqs, base, blocks, bounds, only_ids=None, min_posts=3):
    """The (party org, kind) pairs that fall short, exactly, with their held months: each row
    is the organization's window (``_window_sql``'s columns), ``req`` (the kind) and ``m0`` …
    (``blocks`` masks of ``BLOCK`` months from month ``base``: bit i of ``m<b>`` is month
    ``base + BLOCK·b + i`` with a counted meeting). ``bounds``: each period's first and last
    index checked, between which the window's columns lie.

    One grouped statement over the yearly counts of the checked years
    (``orglife.MeetingCount``: O(branches × years) rows, not every meeting nor a row a month):
    each year's months held, already bits, are shifted to their place (a pair has one row a
    year, so their sum is their union), and a pair falls short when some period of its own window [lo, hi] has none of
    its months set — folding a period's months onto its first bit and comparing with the
    first bits of every period owed. No COUNT(DISTINCT) per pair (a sort, or a temporary
    B-tree per pair on SQLite) and no second read of the meetings of the pairs found short."""
    ct = MeetingCount._meta.db_table
    # SQLite has no BIT_OR; the years of one pair are distinct bits, so their sum is the same.
    agg = "SUM" if connection.vendor == "sqlite" else "BIT_OR"

    def mask(b: int) -> str:
        # A count row is a year: its twelve month bits shifted to the year's place in the block.
        lo = (base + BLOCK * b) // 12
        return (
            f"{agg}(CASE WHEN c.year >= {lo} AND c.year < {lo + BLOCK // 12} "
            f"THEN CAST(c.months AS BIGINT) << (12 * (c.year - {lo})) ELSE 0 END)"
        )

    last = base + BLOCK * blocks - 1
    kinds = ", ".join(f"'{k}'" for k in reqs)
    values = ", ".join(f"('{k}')" for k in reqs)
    only = f"c.party_organization_id IN ({id_list(only_ids)}) AND " if only_ids is not None else ""
    shorts = []
    for k, r in reqs.items():
        step = STEP[r["period"]]
        lo, hi = f"t.lo_{r['period']}", f"t.hi_{r['period']}"
        held = []
        glo, ghi = bounds[r["period"]]
        for b in range(blocks):
            first = (base + BLOCK * b) // step  # the block's first period
            end = first + BLOCK // step - 1  # and its last
            m = f"COALESCE(t.m{b}, 0)"
            # Each period's months folded onto its first bit.
            fold = " | ".join([m, *(f"({m} >> {i})" for i in range(1, step))])
            # The window's periods within the block, [a, z] counted from its first: clipped
            # to the block only where the checked periods reach beyond it (the usual one or
            # two years fit in one block, which then holds every window whole).
            a = f"({lo} - {first})" if first <= glo else _either(f"{lo} - {first}", "0", ">")
            z = (
                f"({hi} - {first})"
                if ghi <= end
                else _either(f"{hi} - {first}", str(end - first), "<")
            )
            owed = _every(step, f"{z} - {a} + 1")
            test = f"((({fold}) >> ({step} * {a})) & {owed}) = {owed}"
            if first <= glo and ghi <= end:  # every window whole here, none empty (hi >= lo)
                held.append(test)
                continue
            # A CASE, not an OR: the shifts are only evaluated where they are in range.
            held.append(f"(CASE WHEN {z} < {a} THEN 1 WHEN {test} THEN 1 ELSE 0 END) = 1")
        shorts.append(f"(t.req = '{k}' AND {hi} >= {lo} AND NOT ({' AND '.join(held)}))")
    # Whole years: a month after ``last`` (the running period's) is read but never judged —
    # only the bits of each pair's owed periods are compared.
    months = f"c.year >= %s AND c.year <= %s AND c.kind IN ({kinds})"
    if connection.vendor == "sqlite":
        # Each pair's years are one range of the (party_organization, kind, year) index: one
        # seek per pair, in index order, beats a GROUP BY of every count (measured). The pairs
        # are materialised so that each mask is computed once, not once per reference.
        seeks = ", ".join(
            f"(SELECT {mask(b)} FROM {ct} c WHERE c.party_organization_id = w.id "  # noqa: S608
            f"AND c.kind = k.kind AND {months}) AS m{b}"
            for b in range(blocks)
        )
        pairs = (
            f"t AS MATERIALIZED (SELECT w.*, k.kind AS req, {seeks} FROM w CROSS JOIN k "  # noqa: S608
            f"WHERE {_applies_sql(reqs, min_posts)})"
        )
        params = [base // 12, last // 12] * blocks
    else:  # PostgreSQL: one aggregate of the counts, grouped in the order of the index that
        # holds them (kind, organization: ``orglife_count_kind_org``), read from it as they come
        masks = ", ".join(f"{mask(b)} AS m{b}" for b in range(blocks))
        pairs = (
            f"a AS (SELECT c.party_organization_id AS po, c.kind AS kind, {masks} "  # noqa: S608
            f"FROM {ct} c WHERE {only}{months} GROUP BY c.kind, c.party_organization_id), "
            f"t AS (SELECT w.*, k.kind AS req, {', '.join(f'a.m{b}' for b in range(blocks))} "
            "FROM w CROSS JOIN k LEFT JOIN a ON a.po = w.id AND a.kind = k.kind OFFSET 0)"
        )
        params = [base // 12, last // 12]
    # PostgreSQL judges the pairs a requirement applies to after the join (``OFFSET 0`` keeps
    # the condition out of it): inside it, the planner estimated them at 1 in 300 and chose a
    # merge join over a sort spilled to disk (2.4 s against 1.5 s at 100,000 units). SQLite
    # inside (each pair's seeks spared).
    where = " OR ".join(shorts)
    if connection.vendor != "sqlite":
        where = f"({_applies_sql(reqs, min_posts, 't.kind', 't.req')}) AND ({where})"
    # The window materialized (computed once) — except on PostgreSQL for a single meeting kind
    # (a federation's rulebook judging the general meeting alone): there each organization is
    # one pair, and inlined the planner joins the organizations straight to their counts by a
    # hash join (95 against 115 ms at 100,000 units, where it sorted the materialized window
    # for a merge join). With several kinds it must stay materialized: inlined, the cross
    # join's estimate led it to parallel workers each aggregating every count again (1.3 s
    # against 0.75 s).
    inline = connection.vendor != "sqlite" and len(reqs) == 1
    sql = (
        f"WITH w AS {'' if inline else 'MATERIALIZED '}({window_sql}), "  # noqa: S608
        f"k (kind) AS (VALUES {values}), {pairs} SELECT t.* FROM t WHERE {where}"
    )
    return sql, params


def applicable(req: dict, po_kind: str, posts: int, min_posts: int) -> bool:
    if po_kind not in req.get("applies_to", []):
        return False
    return not (req.get("needs_committee") and posts < min_posts)


# A candidate's ``raw`` (make_candidate): party organization, federation, year, missing periods
# by kind, requirements by kind, as-of day.
Raw = tuple[int, int, int, dict[str, list[int]], dict[str, Any], datetime.date]


def merge(candidates: list[Candidate]) -> Candidate:
    """Two revisions judged different periods of one year: one finding listing both."""
    po, fed, year, _, reqs, day = cast(Raw, candidates[0].raw)
    kinds: dict[str, list[int]] = defaultdict(list)
    all_reqs: dict[str, Any] = {}
    for c in candidates:
        raw = cast(Raw, c.raw)
        all_reqs.update(raw[4])
        for k, idxs in raw[3].items():
            kinds[k].extend(idxs)
    return make_candidate(po, fed, year, dict(kinds), all_reqs, day)


@kind(
    "orglife_irregular",
    window=window_start,
    merge=merge,
    reads=(MEETINGS,),
    subject="party_organization",
)
def orglife_irregular(ctx):
    p, day, rev = ctx.params, ctx.as_of, ctx.revision
    start = datetime.date(day.year - p.get("lookback_years", 1), 1, 1)
    ctx.checked_periods = (start, day)
    lo_day = max(start, rev.effective_from)
    hi_day = min(day, rev.effective_to or day)
    if lo_day > hi_day:
        return
    # SQL text holds only table names, known meeting kinds and periods and integer ids (S608).
    # Only known meeting kinds and periods reach the SQL text (overrides are user input).
    # A requirement that applies to no organization kind (an override may switch one off
    # with ``applies_to: []``) reads nothing.
    reqs = {
        k: r
        for k, r in p["requirements"].items()
        if k in KIND_ZH and isinstance(r, dict) and r.get("period") in STEP and r.get("applies_to")
    }
    if not reqs:
        return
    periods = sorted({r["period"] for r in reqs.values()}, key=STEP.get)
    bounds = {
        q: (period_index(lo_day, q), period_index(hi_day + datetime.timedelta(days=1), q) - 1)
        for q in periods
    }
    if all(lo > hi for lo, hi in bounds.values()):
        return
    # The months the masks span: from January of the first checked period's year to the last
    # month of the last complete period (the running period's months are read, never judged).
    owed = [q for q in periods if bounds[q][0] <= bounds[q][1]]
    base = min(bounds[q][0] * STEP[q] for q in owed) // 12 * 12
    last = max((bounds[q][1] + 1) * STEP[q] - 1 for q in owed)
    blocks = (last - base) // BLOCK + 1
    committee = any(r.get("needs_committee") for r in reqs.values())
    window_sql, window_params = _window_sql(ctx, periods, lo_day, hi_day, bounds, posts=committee)
    min_posts = int(p.get("min_committee_posts", 3))
    sql, params = _short_sql(window_sql, reqs, base, blocks, bounds, ctx.only, min_posts)
    with connection.cursor() as cur:
        cur.execute(sql, window_params + params)
        columns = [c[0] for c in cur.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]
    # {(po, year): {kind: [period codes]}}
    missing: dict[tuple[int, int], dict[str, list[int]]] = defaultdict(dict)
    feds = {}
    for w in rows:
        k = w["req"]
        r = reqs[k]  # applicable to the organization (``_applies_sql``)
        q, step = r["period"], STEP[r["period"]]
        held = sum(int(w[f"m{b}"] or 0) << (BLOCK * b) for b in range(blocks))
        months = (1 << step) - 1
        for idx in range(w[f"lo_{q}"], w[f"hi_{q}"] + 1):
            if not (held >> (idx * step - base)) & months:
                year = period_bounds(idx, q)[0].year
                missing[(w["id"], year)].setdefault(k, []).append(idx)
                feds[w["id"]] = w["fed"]
    for (po, year), kinds in sorted(missing.items()):
        yield make_candidate(po, feds[po], year, kinds, reqs, day)


def make_candidate(po, fed, year, kinds: dict[str, list[int]], reqs, day) -> Candidate:
    # A closed year's text names its last day; the current year's is read as of its day.
    end = min(day, datetime.date(year, 12, 31))
    parts, evidence, total = [], {}, 0
    for k in KIND_ZH:
        if k not in kinds:
            continue
        q = reqs[k]["period"]
        idxs = sorted(set(kinds[k]))
        total += len(idxs)
        labels = [period_label(i, q) for i in idxs]
        unit = PERIOD_ZH[q]
        parts.append(
            f"{KIND_ZH[k]}（{PERIOD_EVERY_ZH[q]}至少 1 次）缺 {len(idxs)} {unit}：{'、'.join(labels)}"
        )
        evidence[k] = {"period": q, "missing": [period_code(i, q) for i in idxs]}
    candidate = Candidate(
        federation_id=fed,
        party_organization_id=po,
        period_start=datetime.date(year, 1, 1),
        period_end=datetime.date(year, 12, 31),
        period_key=str(year),
        explanation=(
            f"{year} 年（截至 {base.fmt(end) if end < day else AS_OF}）组织生活记录不全，"
            f"共缺 {total} 次：" + "；".join(parts) + "。"
        ),
        evidence={"year": year, "missing": evidence, "missing_total": total},
        facts={"missing": {k: v["missing"] for k, v in evidence.items()}},
    )
    candidate.raw = (po, fed, year, kinds, reqs, day)
    return candidate


def branches_of_touched(touched) -> set[int] | None:
    """The branches whose empty-shell finding a meeting of a touched party organization can
    move: that organization (its own organizational life) and every branch covering a unit it
    ever covered (the unit's dormancy decides "every unit gone", condition 4)."""
    units = units_of_touched(touched)
    if units is None:
        return None
    ids = {po for po, _, _ in touched if po is not None}
    for chunk in chunks(sorted(units), 500):
        ids.update(
            Coverage.objects.filter(organization_id__in=chunk)
            .order_by()
            .values_list("party_organization_id", flat=True)
        )
    return ids


@kind(
    "empty_branch",
    reads=(MEETINGS,),
    subject="party_organization",
    widen=branches_of_touched,
    kept_coverage=True,
    shares=(base.BRANCH_COUNTS, base.DORMANT),
)
def empty_branch(ctx):
    day, p = ctx.as_of, ctx.params
    found: dict[int, dict] = defaultdict(lambda: {"conditions": []})
    branches = base.party_orgs(ctx).filter(kind__in=base.BRANCH_KINDS)
    if ctx.only is not None:  # an incremental run: these branches alone
        branches = branches.filter(pk__in=sorted(ctx.only))
    # (1) no organizational life for the given months.
    quiet_since = add_months(day, -p["no_orglife_months"])
    # Quiet branches first (one index probe each for a meeting in the window), then the last
    # meeting of those few only (the newest entry of the (party org, held_on) index).
    # A meeting held counts as organizational life even without its quorum; a plan does not.
    held = Meeting.objects.filter(status=Meeting.Status.HELD)
    recent = held.filter(
        party_organization=OuterRef("pk"), held_on__gte=quiet_since, held_on__lte=day
    )
    last_meeting = (
        held.filter(party_organization=OuterRef("pk"), held_on__lte=day)
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
            f"最近一次组织生活记录为 {base.fmt(last)}，已 {months_since(last)} 个月"
            f"（{days_since(last)} 天）没有组织生活"
            if last
            else "没有任何组织生活记录"
        )
        found[pk]["conditions"].append(
            {"code": "no_orglife", "last_meeting": base.fmt(last), "text": text}
        )
    # (2) secretary vacant for the given months.
    vacant_since = add_months(day, -p["secretary_vacant_months"])
    branch_ids = set(branches.values_list("pk", flat=True))
    scope = None if ctx.only is None else branches
    for pk, info in base.secretary_vacancies(ctx, orgs=scope).items():
        if pk not in branch_ids or info["since"] > vacant_since:
            continue
        found[pk]["fed"] = info["fed"]
        found[pk]["conditions"].append(
            {
                "code": "secretary_vacant",
                "since": base.fmt(info["since"]),
                "text": f"书记自 {base.fmt(info['since'])} 起空缺已 {months_since(info['since'])} 个月",
            }
        )
    # (3) a single-unit branch with fewer full members than a branch needs.
    # Counted as the rulebook says (by default: employed in the unit or relation held in the
    # branch, each once); members working there with the relation elsewhere are the
    # relation_elsewhere rule's, not an empty shell.
    need = p["min_full_members_single_unit"]
    counts, basis = base.branch_counts(ctx, orgs=scope), base.BASIS_ZH[base.count_basis(ctx)]
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
                "text": f"单独组建的党支部只有正式党员 {full} 名（{basis}，不足 {need} 名）",
            }
        )
    # (4) every unit it covered has left the federation or is dormant.
    units = None
    if ctx.only is not None:  # the dormancy of the units these branches cover, alone
        units = set(
            Coverage.objects.filter(party_organization_id__in=sorted(branch_ids))
            .order_by()
            .values_list("organization_id", flat=True)
        )
    dormant = set(dormant_units(ctx, ctx.other_params("dormancy.dormant_society"), units))
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
        yield conditions_candidate(subject, lead="该党支部疑似空壳支部", party_organization_id=pk)
