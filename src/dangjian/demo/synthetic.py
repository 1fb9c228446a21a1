"""Synthetic units at scale, deterministically from a seed, with bulk writes.

Proportions follow what a city federation looks like: about a fifth of units have no party
member, a quarter one or two, the rest three or more; most of those have their own branch,
small units share joint branches of up to five, and some units have an instructor. A share of
branches is deliberately irregular so the rules have work at scale too.
"""

from __future__ import annotations

import datetime
import random

from django.db import connection, transaction
from django.utils import timezone
from faker import Faker
from stdnum.cn import uscc
from tqdm import tqdm

from dangjian.core import crypto
from dangjian.core.validators import org_code_check_digit
from dangjian.orglife.models import Meeting
from dangjian.party.models import (
    Coverage,
    Employment,
    Instructor,
    InstructorAssignment,
    PartyMember,
    PartyOrganization,
    Position,
)
from dangjian.registry.models import Domain, Federation, Membership, Organization

from . import identity
from .calendar import day_within
from .meetings import TOPICS, full_regime

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


def members_in_unit(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.2:
        return 0
    if roll < 0.45:
        return rng.randint(1, 2)
    if roll < 0.97:
        return rng.randint(3, 20)
    return rng.randint(21, 60)


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
    committee = PartyOrganization.objects.filter(
        federation=federation, kind=PartyOrganization.Kind.COMMITTEE
    ).first()
    domains = list(Domain.objects.all())
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


def _chunk(federation, committee, instructor, domains, names, rng, today, offset, size):
    orgs, specs = [], []
    for i in range(offset, offset + size):
        word, category, legal_form, dept = rng.choice(KINDS)
        joined = datetime.date(2018, 10, 30) + datetime.timedelta(days=rng.randrange(0, 2400))
        district = rng.choice(DISTRICTS)
        orgs.append(
            Organization(
                name=f"（合成）天津市{district}{rng.choice(WORDS)}{rng.choice(WORDS)}{word}{i:06d}",
                uscc=_uscc(dept, i),
                legal_form=legal_form,
                category=category,
                district=district,
                supervising_unit="天津市委网信办" if dept != "91" else "",
                registration_authority="天津市民政局"
                if dept != "91"
                else "天津市市场监督管理委员会",
                founded_on=joined - datetime.timedelta(days=rng.randrange(300, 4000)),
                registered_address=f"天津市{district}某路{rng.randrange(1, 999)}号",
            )
        )
        specs.append((joined, members_in_unit(rng)))
    Organization.objects.bulk_create(orgs, batch_size=1000)
    Organization.domains.through.objects.bulk_create(
        [
            Organization.domains.through(organization_id=o.pk, domain_id=rng.choice(domains).pk)
            for o in orgs
        ],
        batch_size=2000,
    )
    Membership.objects.bulk_create(
        [
            Membership(
                federation=federation,
                organization=o,
                valid_from=joined,
                role=Membership.Role.MEMBER,
            )
            for o, (joined, _) in zip(orgs, specs, strict=True)
        ],
        batch_size=2000,
    )

    members, employments, unit_members = [], [], []
    for _joined, n in specs:
        mine = []
        for _ in range(n):
            male = rng.random() < 0.6
            birth = datetime.date(
                rng.randrange(1960, 1999), rng.randrange(1, 13), rng.randrange(1, 29)
            )
            joined_party = birth.replace(year=birth.year + rng.randrange(20, 26))
            probationary = rng.random() < 0.05
            if probationary:
                joined_party = today - datetime.timedelta(days=rng.randrange(30, 330))
            id_number = identity.id_number(rng, birth, male)
            member = PartyMember(
                name=rng.choice(names),
                gender="male" if male else "female",
                birth_date=birth,
                id_number=id_number,
                id_number_hash=crypto.blind_index(id_number),
                joined_party_on=joined_party,
                full_member_on=None
                if probationary
                else joined_party + datetime.timedelta(days=365),
            )
            members.append(member)
            mine.append(member)
        unit_members.append(mine)
    PartyMember.objects.bulk_create(members, batch_size=2000)
    for o, (joined, _), mine in zip(orgs, specs, unit_members, strict=True):
        employments += [Employment(member=m, organization=o, valid_from=joined) for m in mine]
    Employment.objects.bulk_create(employments, batch_size=2000)

    # Party organizations: own branch for most units with ≥ 3; joint branches of ≤ 5 small units.
    branches, coverage_plan, small = [], [], []
    for o, (joined, n), mine in zip(orgs, specs, unit_members, strict=True):
        full = sum(1 for m in mine if m.full_member_on)
        if full >= 3 and rng.random() < 0.9:
            est = joined + datetime.timedelta(days=rng.randrange(0, 400))
            if est > today:
                continue
            kind = "branch" if full < 50 else "general_branch"
            branches.append(
                PartyOrganization(
                    name=f"{o.name}党支部",
                    kind=kind,
                    formation_mode="in_member_unit",
                    federation=federation,
                    parent=committee,
                    valid_from=est,
                    approval_doc_no=f"合成〔{est.year}〕{o.pk}号",
                    approval_date=est,
                    term_started_on=est,
                    term_years=3,
                )
            )
            coverage_plan.append(([o], mine, est))
        elif 1 <= n <= 2:
            small.append((o, joined, mine))
        elif n == 0 and rng.random() < 0.6:
            coverage_plan.append((None, o, joined))  # instructor only
    for g in range(0, len(small) - len(small) % 5, 5):
        group = small[g : g + 5]
        if rng.random() < 0.3:
            continue
        est = max(j for _, j, _ in group) + datetime.timedelta(days=rng.randrange(0, 200))
        if est > today:
            continue
        branches.append(
            PartyOrganization(
                name=f"合成联合党支部{group[0][0].pk}",
                kind="joint_branch",
                formation_mode="via_supervisor",
                federation=federation,
                parent=committee,
                valid_from=est,
                approval_date=est,
                term_started_on=est,
                term_years=3,
                approval_doc_no=f"合成联〔{est.year}〕{group[0][0].pk}号",
            )
        )
        coverage_plan.append(([o for o, _, _ in group], [m for *_, ms in group for m in ms], est))
    PartyOrganization.objects.bulk_create(branches, batch_size=1000)

    coverages, positions, meetings, assignments = [], [], [], []
    branch_iter = iter(branches)
    for units, people, est in coverage_plan:
        if units is None:
            assignments.append(
                InstructorAssignment(
                    instructor=instructor,
                    organization=people,
                    valid_from=max(est, instructor.valid_from),
                )
            )
            continue
        branch = next(branch_iter)
        kind = Coverage.Kind.OWN if len(units) == 1 else Coverage.Kind.JOINT
        coverages += [
            Coverage(party_organization=branch, organization=u, kind=kind, valid_from=est)
            for u in units
        ]
        full = [m for m in people if m.full_member_on]
        if full and rng.random() < 0.95:
            positions.append(
                Position(
                    member=full[0], party_organization=branch, role="secretary", valid_from=est
                )
            )
        # Most branches meet as required; some stop at some point (irregular or empty shells).
        end = (
            today if rng.random() < 0.85 else est + datetime.timedelta(days=rng.randrange(90, 2000))
        )
        meetings += meeting_rows(
            branch.pk, est, min(end, today), full_regime(len(full) >= 7), len(full)
        )
        if len(meetings) > 50000:
            insert_meetings(meetings)
            meetings = []
    Coverage.objects.bulk_create(coverages, batch_size=2000)
    Position.objects.bulk_create(positions, batch_size=2000)
    InstructorAssignment.objects.bulk_create(assignments, batch_size=2000)
    insert_meetings(meetings)


def meeting_rows(party_org_id, start, end, regime, size):
    """The same meetings as ``meetings.meetings_for``, as plain tuples for ``insert_meetings``
    (building 10^7 model instances costs more than writing the rows)."""
    rows = []
    for kind, periods, offset in regime:
        topic = TOPICS[kind]
        for first, last in periods(start, end):
            day = day_within(first, last, start, end, offset)
            if day is None:
                continue
            present = max(size - (day.toordinal() % 3 == 0), 0)
            rows.append(
                (
                    party_org_id,
                    str(kind),
                    day,
                    f"{day.year}年{topic}",
                    size or None,
                    present or None,
                    f"会议由支部书记主持，应到党员{size}名，实到{present}名。",
                )
            )
    return rows


def insert_meetings(rows):
    """Raw ``executemany`` of meeting rows (created/updated stamped now)."""
    if not rows:
        return
    field = Meeting._meta.get_field("created_at")
    now = field.get_db_prep_value(timezone.now(), connection)
    table = Meeting._meta.db_table
    sql = (
        f"INSERT INTO {table} (created_at, updated_at, party_organization_id, kind, held_on, "  # noqa: S608
        "topic, expected_count, present_count, minutes) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
    )
    with connection.cursor() as cursor:
        for i in range(0, len(rows), 10000):
            cursor.executemany(sql, [(now, now, *row) for row in rows[i : i + 10000]])
