"""Synthetic units at scale, deterministically from a seed, with raw bulk writes.

Proportions follow what a city federation looks like: about a fifth of units have no party
member, a fifth one or two, the rest three or more; most of those have their own branch,
small units share joint branches of up to five, and most units without members have an
instructor. Units look like the demo's real ones — social organizations file their annual
reports, units keep a charter with the party-building clause and record their board decisions,
branches hold elections on time and members hold their organizational relation in their branch —
and a realistic few percent of them have each problem the rules look for, so the rules have work
at scale without flagging every synthetic unit.

Rows are written by raw ``executemany`` (``COPY`` on PostgreSQL) with primary keys reserved up
front (``demo.rows``); the meetings and their minutes are ``demo.synthetic_meetings``'. Encrypted
fields are still real ciphertexts (``core.crypto.encrypt``) with their blind index.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from faker import Faker
from stdnum.cn import uscc
from tqdm import tqdm

from dangjian.core import crypto, touch
from dangjian.core.validators import org_code_check_digit
from dangjian.governance.models import CharterRevision, MajorDecision
from dangjian.inspections.models import AnnualInspection
from dangjian.orglife.models import Meeting
from dangjian.orglife.services import bands, pairs
from dangjian.orglife.services.period_counts import recount
from dangjian.party.bulk import mark_shared_id_numbers
from dangjian.party.models import (
    Coverage,
    Election,
    Employment,
    Instructor,
    InstructorAssignment,
    PartyMember,
    PartyOrganization,
    Position,
    RelationPeriod,
)
from dangjian.party.services import keep_term_deadlines
from dangjian.registry.models import Domain, Federation, Membership, Organization
from dangjian.rulebook import deadlines
from dangjian.rulebook.periods import add_months

from . import identity
from .meetings import full_regime
from .rows import Rows
from .synthetic_meetings import MinutesWriter, insert_meetings, meeting_rows

CHUNK = 1000
DISTRICTS = [
    "和平区",
    "河东区",
    "河西区",
    "南开区",
    "河北区",
    "红桥区",
    "滨海新区",
    "东丽区",
    "西青区",
    "津南区",
    "北辰区",
    "武清区",
    "宝坻区",
    "宁河区",
    "静海区",
    "蓟州区",
]
KINDS = [
    ("协会", "association", "social_group", "51"),
    ("商会", "chamber", "social_group", "51"),
    ("学会", "society", "social_group", "51"),
    ("研究院", "institute", "private_non_enterprise", "52"),
    ("有限公司", "enterprise", "enterprise", "91"),
]
WORDS = [
    "网络",
    "数字",
    "智能",
    "信息",
    "数据",
    "云",
    "融媒",
    "视听",
    "电商",
    "算力",
    "安全",
    "软件",
    "互联",
    "星河",
    "海河",
    "津门",
    "创新",
    "未来",
    "智慧",
    "科技",
]
DECISIONS = ["年度工作计划", "年度财务预算", "会员发展规划", "重大项目立项", "换届工作方案"]

# How often each problem occurs (the rest of the units are healthy).
P_OWN_BRANCH = 0.94  # units with ≥ 3 full members that formed their own branch
P_JOINT = 0.9  # groups of small units that formed a joint branch
P_INSTRUCTOR = 0.85  # units without members that have an instructor
P_SECRETARY = 0.96  # party organizations with a secretary in post
P_KEEPS_MEETING = 0.95  # branches that keep meeting to this day (the rest stop at some point)
P_TERM_LATE = 0.03  # branches that skipped their last election
P_REPORT_MISSING = 0.03  # social organizations that did not file the last year's report
P_DORMANT = 0.01  # … nor the year's before (dormant societies)
P_NO_CLAUSE = 0.04  # charters in force without the party-building clause
P_DECISION_WITHOUT_PARTY = 0.03  # units with a decision this year the party org did not join


COMMITTEE_ROLES = [
    Position.Role.ORGANIZATION,
    Position.Role.PUBLICITY,
    Position.Role.DISCIPLINE,
    Position.Role.MEMBER,
]


def members_in_unit(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.2:
        return 0
    if roll < 0.42:
        return rng.randint(1, 2)
    if roll < 0.95:
        return rng.randint(3, 25)
    return rng.randint(26, 80)


def _uscc(dept: str, index: int) -> str:
    # Organization-code body from the running index: unique without a lookup.
    body = f"T{index:07d}"  # no I O S V Z inside a USCC
    body = body[:8]
    code = body + org_code_check_digit(body)
    prefix = f"{dept}120000{code}"
    return prefix + uscc.calc_check_digit(prefix)


def generate(federation: Federation, count: int, *, seed: int = 2019, progress: bool = True):
    rng = random.Random(seed * 7919 + count)
    faker = Faker("zh_CN")
    faker.seed_instance(seed)
    names = [faker.name() for _ in range(3000)]
    today = datetime.date.today()
    # Raw inserts mark nothing in the journal of touched subjects: the next run is a full one.
    touch.everything()
    committee = PartyOrganization.objects.filter(
        federation=federation, kind=PartyOrganization.Kind.COMMITTEE
    ).first()
    domains = list(Domain.objects.values_list("pk", flat=True))
    start_index = Organization.objects.filter(name__startswith="（合成）").count()
    instructor = Instructor.objects.create(
        name=rng.choice(names),
        dispatched_by="各区委网信办",
        notice_no="合成〔2020〕1号",
        notice_date=datetime.date(2020, 1, 2),
        valid_from=datetime.date(2020, 1, 6),
    )
    bar = tqdm(total=count, disable=not progress, unit="单位", desc="生成合成单位")
    done = 0
    # The meetings go in raw: their per-month counts are recounted for the new organizations.
    first_new = (
        PartyOrganization.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ) + 1
    last_meeting = Meeting.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    while done < count:
        size = min(CHUNK, count - done)
        with transaction.atomic():
            _chunk(
                federation,
                committee,
                instructor,
                domains,
                names,
                rng,
                today,
                start_index + done,
                size,
            )
        done += size
        bar.update(size)
    bar.close()
    recount(PartyOrganization.objects.filter(pk__gte=first_new).values_list("pk", flat=True))
    # And the band keys of their signatures (``orglife.MinuteBand``), and the pairs of alike
    # minutes (``orglife.MinutePair``).
    bands.rebuild(after=last_meeting)
    pairs.rebuild()


def _chunk(federation, committee, instructor, domains, names, rng, today, offset, size):
    orgs = Rows(
        Organization,
        [
            "id",
            "name",
            "uscc",
            "legal_form",
            "category",
            "district",
            "supervising_unit",
            "registration_authority",
            "founded_on",
            "registered_address",
        ],
    )
    org_ids = orgs.reserve(size)
    units = []  # (id, name, legal form, joined, founded, members)
    for pk, i in zip(org_ids, range(offset, offset + size), strict=True):
        word, category, legal_form, dept = rng.choice(KINDS)
        joined = datetime.date(2018, 10, 30) + datetime.timedelta(days=rng.randrange(0, 2400))
        district = rng.choice(DISTRICTS)
        name = f"（合成）天津市{district}{rng.choice(WORDS)}{rng.choice(WORDS)}{word}{i:06d}"
        founded = joined - datetime.timedelta(days=rng.randrange(300, 4000))
        orgs.add(
            pk,
            name,
            _uscc(dept, i),
            legal_form,
            category,
            district,
            "天津市委网信办" if dept != "91" else "",
            "天津市民政局" if dept != "91" else "天津市市场监督管理委员会",
            founded,
            f"天津市{district}某路{rng.randrange(1, 999)}号",
        )
        units.append((pk, name, legal_form, joined, founded, members_in_unit(rng)))
    orgs.write()
    through = Organization.domains.through
    links = Rows(through, ["organization_id", "domain_id"])
    joins = Rows(Membership, ["federation_id", "organization_id", "valid_from", "role"])
    for pk, _name, _form, joined, _founded, _n in units:
        links.add(pk, rng.choice(domains))
        joins.add(federation.pk, pk, joined, Membership.Role.MEMBER)
    links.write()
    joins.write()

    # Members, planned before their branches (they hold their relation there).
    planned = []  # per unit: [(birth, male, joined_party, full_member_on)]
    for _pk, _name, _form, _joined, _founded, n in units:
        mine = []
        for _ in range(n):
            male = rng.random() < 0.6
            birth = datetime.date(
                rng.randrange(1960, 1999), rng.randrange(1, 13), rng.randrange(1, 29)
            )
            joined_party = birth.replace(year=birth.year + rng.randrange(20, 26))
            full_on = joined_party + datetime.timedelta(days=365)
            if rng.random() < 0.05:  # probationary
                joined_party = today - datetime.timedelta(days=rng.randrange(30, 330))
                full_on = None
            mine.append((birth, male, joined_party, full_on))
        planned.append(mine)

    # Party organizations: own branch for most units with ≥ 3; joint branches of ≤ 5 small units.
    branches = Rows(
        PartyOrganization,
        [
            "id",
            "name",
            "kind",
            "formation_mode",
            "federation_id",
            "parent_id",
            "valid_from",
            "approval_doc_no",
            "approval_date",
        ],
    )
    votes = Rows(Election, ["party_organization_id", "held_on", "kind", "term_years"])
    plan, small, lone = [], [], []  # plan: (unit indexes, established, kind, name, doc)
    for u, ((pk, name, _form, joined, _founded, n), mine) in enumerate(
        zip(units, planned, strict=True)
    ):
        full = sum(1 for m in mine if m[3])
        if full >= 3 and rng.random() < P_OWN_BRANCH:
            est = joined + datetime.timedelta(days=rng.randrange(0, 400))
            if est > today:
                continue
            kind = "branch" if full < 50 else "general_branch"
            plan.append(([u], est, kind, f"{name}党支部", f"合成〔{est.year}〕{pk}号"))
        elif 1 <= n <= 2:
            small.append(u)
        elif n == 0 and rng.random() < P_INSTRUCTOR:
            lone.append(u)
    for g in range(0, len(small) - len(small) % 5, 5):
        group = small[g : g + 5]
        if rng.random() > P_JOINT:
            continue
        est = max(units[u][3] for u in group) + datetime.timedelta(days=rng.randrange(0, 200))
        if est > today:
            continue
        first = units[group[0]][0]
        plan.append(
            (group, est, "joint_branch", f"合成联合党支部{first}", f"合成联〔{est.year}〕{first}号")
        )
    branch_ids = branches.reserve(len(plan))
    branch_of = {}  # unit index → (branch id, established)
    for po_id, (group, est, kind, name, doc) in zip(branch_ids, plan, strict=True):
        # Elections every three years, on time; a few branches skipped the last one.
        elections = [est]
        while add_months(elections[-1], 36) <= today:
            elections.append(add_months(elections[-1], 36))
        late = len(elections) > 1 and rng.random() < P_TERM_LATE
        if late:
            elections.pop()
        for i, held in enumerate(elections):
            votes.add(po_id, held, "founding" if i == 0 else "general", 3)
        mode = "in_member_unit" if len(group) == 1 else "via_supervisor"
        branches.add(
            po_id,
            name,
            kind,
            mode,
            federation.pk,
            committee.pk if committee else None,
            est,
            doc,
            est,
        )
        for u in group:
            branch_of[u] = (po_id, est)
    branches.write()
    votes.write()
    keep_term_deadlines(branch_ids)  # as the election services keep them

    members = Rows(
        PartyMember,
        [
            "id",
            "name",
            "gender",
            "birth_date",
            "id_number",
            "id_number_hash",
            "id_suffix_hash",
            "joined_party_on",
            "full_member_on",
            "relation_party_organization_id",
        ],
    )
    member_ids = iter(members.reserve(sum(len(m) for m in planned)))
    jobs = Rows(Employment, ["member_id", "organization_id", "valid_from"])
    # The relation's dated history: held in the branch since joining the party, or the
    # branch's founding if later (the earliest day possible, as the migration assumes).
    relations = Rows(RelationPeriod, ["member_id", "party_organization_id", "valid_from"])
    people = {}  # unit index → [(member id, full)]
    for u, ((unit_id, *_rest), mine) in enumerate(zip(units, planned, strict=True)):
        joined = units[u][3]
        relation, established = branch_of.get(u, (None, None))
        people[u] = []
        for birth, male, joined_party, full_on in mine:
            pk = next(member_ids)
            id_number = identity.id_number(rng, birth, male)
            members.add(
                pk,
                rng.choice(names),
                "male" if male else "female",
                birth,
                crypto.encrypt(id_number),
                crypto.blind_index(id_number),
                crypto.suffix_index(id_number),
                joined_party,
                full_on,
                relation,
            )
            jobs.add(pk, unit_id, joined)
            if relation:
                relations.add(pk, relation, max(joined_party, established))
            people[u].append((pk, full_on is not None))
    members.write()
    # Random ID numbers may meet twice among a million: flagged as the services flag them.
    mark_shared_id_numbers()
    jobs.write()
    relations.write()

    coverages = Rows(Coverage, ["party_organization_id", "organization_id", "kind", "valid_from"])
    posts = Rows(Position, ["member_id", "party_organization_id", "role", "valid_from"])
    assignments = Rows(InstructorAssignment, ["instructor_id", "organization_id", "valid_from"])
    for u in lone:
        assignments.add(instructor.pk, units[u][0], max(units[u][3], instructor.valid_from))
    meetings = []
    writer = MinutesWriter(rng, today)
    for po_id, (group, est, _kind, name, _doc) in zip(branch_ids, plan, strict=True):
        cov_kind = Coverage.Kind.OWN if len(group) == 1 else Coverage.Kind.JOINT
        for u in group:
            coverages.add(po_id, units[u][0], cov_kind, est)
        full = [pk for u in group for pk, is_full in people[u] if is_full]
        if full and rng.random() < P_SECRETARY:
            posts.add(full[0], po_id, Position.Role.SECRETARY, est)
        if len(full) >= 7:  # a branch committee of three to five
            for member, role in zip(full[1:], COMMITTEE_ROLES[: rng.randint(2, 4)], strict=False):
                posts.add(member, po_id, role, est)
        # Most branches meet as required; some stop at some point (irregular or empty shells).
        end = (
            today
            if rng.random() < P_KEEPS_MEETING
            else est + datetime.timedelta(days=rng.randrange(90, 2000))
        )
        meetings += meeting_rows(
            po_id, est, min(end, today), full_regime(len(full) >= 7), len(full), name, writer
        )
        if len(meetings) > 50000:
            insert_meetings(meetings)
            meetings = []
    coverages.write()
    posts.write()
    assignments.write()
    insert_meetings(meetings)
    _governance(units, branch_of, rng, today)


def _governance(units, branch_of, rng, today):
    """Annual reports of social organizations, charters and board decisions."""
    reports = Rows(
        AnnualInspection,
        [
            "organization_id",
            "year",
            "report_to_supervisor_on",
            "report_to_registrar_on",
            "exempt",
            "conclusion",
        ],
    )
    charters = Rows(CharterRevision, ["organization_id", "adopted_on", "has_party_building_clause"])
    decisions = Rows(
        MajorDecision, ["organization_id", "decided_on", "body", "subject", "party_participated"]
    )
    last_year = today.year - 1
    while deadlines.registrar_deadline(last_year) >= today:
        last_year -= 1
    for u, (pk, _name, legal_form, joined, founded, _n) in enumerate(units):
        if legal_form != Organization.LegalForm.ENTERPRISE:
            first = deadlines.first_inspection_year(founded, joined)
            roll = rng.random()
            skip = 2 if roll < P_DORMANT else 1 if roll < P_REPORT_MISSING else 0
            for year in range(first, last_year + 1):
                if year > last_year - skip:
                    break
                if deadlines.is_exempt(founded, year):
                    reports.add(pk, year, None, None, True, "")
                    continue
                supervisor = datetime.date(year + 1, 3, 1) + datetime.timedelta(
                    days=rng.randrange(0, 30)
                )
                registrar = supervisor + datetime.timedelta(days=rng.randrange(10, 60))
                reports.add(pk, year, supervisor, registrar, False, "passed")
        # A charter adopted on joining; some units amended it later to add the clause.
        adopted = max(founded, joined - datetime.timedelta(days=rng.randrange(30, 300)))
        if rng.random() < 0.3:
            charters.add(pk, adopted, False)
            adopted = min(today, adopted + datetime.timedelta(days=rng.randrange(200, 900)))
        charters.add(pk, adopted, rng.random() >= P_NO_CLAUSE)
        # Board decisions last year and this year; the party organization takes part.
        covered_since = branch_of.get(u, (None, None))[1]
        sidelined = rng.random() < P_DECISION_WITHOUT_PARTY
        for year in (today.year - 1, today.year):
            for d in range(rng.randint(1, 2)):
                day = datetime.date(year, 1, 15) + datetime.timedelta(days=rng.randrange(0, 330))
                if day > today or day < joined:
                    continue
                party = covered_since is not None and covered_since <= day
                if party and sidelined and year == today.year and d == 0:
                    party = False
                decisions.add(pk, day, "board", f"{year}年{rng.choice(DECISIONS)}", party)
    reports.write()
    charters.write()
    decisions.write()
