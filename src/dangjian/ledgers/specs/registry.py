"""LEDGERS, every ledger by key with its text columns bounded by the model; ledger, header_index."""

from __future__ import annotations

from functools import cache

from dangjian.dues.models import DuesPayment
from dangjian.governance.models import CharterRevision, MajorDecision
from dangjian.inspections.models import AnnualInspection, Visit
from dangjian.ledgers.specs.base import Ledger, header_key
from dangjian.ledgers.specs.governance import (
    CHARTER_COLUMNS,
    DECISION_COLUMNS,
    ELECTION_COLUMNS,
    FEDERATION_COLUMNS,
    INSPECTION_COLUMNS,
    VISIT_COLUMNS,
)
from dangjian.ledgers.specs.members import (
    INSTRUCTOR_COLUMNS,
    MEMBER_COLUMNS,
    MEMBERSHIP_COLUMNS,
    ORGANIZATION_COLUMNS,
    PARTY_ORG_COLUMNS,
    POSITION_COLUMNS,
)
from dangjian.ledgers.specs.orglife import ATTENDANCE_COLUMNS, DUES_COLUMNS, MEETING_COLUMNS
from dangjian.orglife.models import Attendance, Meeting
from dangjian.party.models import (
    Election,
    Instructor,
    PartyMember,
    PartyOrganization,
    Position,
)
from dangjian.registry.models import Federation, Membership, Organization

LEDGERS = {
    "members": Ledger("members", "党员台账", MEMBER_COLUMNS, "每行一名党员，以公民身份号码识别。"),
    "organizations": Ledger(
        "organizations",
        "会员单位台账",
        ORGANIZATION_COLUMNS,
        "每行一家单位，以统一社会信用代码识别。",
    ),
    "memberships": Ledger(
        "memberships", "会员关系台账", MEMBERSHIP_COLUMNS, "每行一家单位在本联合会的会员身份。"
    ),
    "party_organizations": Ledger(
        "party_organizations", "党组织及覆盖台账", PARTY_ORG_COLUMNS, "每行一个党组织，以名称识别。"
    ),
    "positions": Ledger("positions", "党组织任职台账", POSITION_COLUMNS, "每行一项任职。"),
    "instructors": Ledger(
        "instructors", "党建工作指导员台账", INSTRUCTOR_COLUMNS, "每行一名指导员在一家单位的派驻。"
    ),
    "meetings": Ledger("meetings", "组织生活台账", MEETING_COLUMNS, "每行一次会议或活动。"),
    "federations": Ledger(
        "federations",
        "联合会台账",
        FEDERATION_COLUMNS,
        "每行一个联合会（本联合会及其下级联合会），以名称识别；上级联合会确定层级关系。",
    ),
    "charter_revisions": Ledger(
        "charter_revisions",
        "章程修订台账",
        CHARTER_COLUMNS,
        "每行一家单位的一版章程，以单位和通过日期识别；某日有效的是此前最近通过的一版。",
    ),
    "major_decisions": Ledger(
        "major_decisions",
        "重大事项决策台账",
        DECISION_COLUMNS,
        "每行一项重大事项决策，以单位、决策日期和事项识别。",
    ),
    "annual_inspections": Ledger(
        "annual_inspections",
        "年度检查台账",
        INSPECTION_COLUMNS,
        "每行一家单位一个年度的年度检查，以单位和年度识别。",
    ),
    "visits": Ledger(
        "visits",
        "走访记录台账",
        VISIT_COLUMNS,
        "每行一次走访调研，以单位、走访日期和走访人员识别。",
    ),
    "elections": Ledger(
        "elections",
        "换届选举台账",
        ELECTION_COLUMNS,
        "每行一个党组织的一次选举（以党组织名称和选举日期识别），及上级党组织批准的本届延期。",
    ),
    "attendance": Ledger(
        "attendance",
        "会议签到台账",
        ATTENDANCE_COLUMNS,
        "每行一名党员在一次会议的出席情况（会议须已在组织生活台账中）。",
    ),
    "dues": Ledger(
        "dues",
        "党费收缴台账",
        DUES_COLUMNS,
        "每行一名党员一个月的党费，以公民身份号码和月份识别；已记录的月份重复导入不会重复记录。",
    ),
}


def _bounded(ledger: Ledger, model) -> Ledger:
    """The ledger with each text column bounded by its model field (a CharField's max_length,
    a TextField's core.validators.TEXT_MAX_LENGTH), so a long cell is refused in Chinese with
    its row and column instead of failing in the database (PostgreSQL) or being stored whole."""
    from dataclasses import replace

    from django.core.exceptions import FieldDoesNotExist
    from django.db import models

    from dangjian.core.validators import TEXT_MAX_LENGTH

    columns = []
    for column in ledger.columns:
        limit = 0
        if column.kind in ("text", "name"):
            try:
                field = model._meta.get_field(column.key)
            except FieldDoesNotExist:
                field = None
            if isinstance(field, models.CharField) and field.max_length:
                limit = field.max_length
            elif isinstance(field, models.TextField):
                limit = TEXT_MAX_LENGTH
        columns.append(replace(column, max_length=limit) if limit else column)
    return Ledger(ledger.key, ledger.title, tuple(columns), ledger.note)


for _key, _model in (
    ("members", PartyMember),
    ("organizations", Organization),
    ("memberships", Membership),
    ("party_organizations", PartyOrganization),
    ("positions", Position),
    ("instructors", Instructor),
    ("meetings", Meeting),
    ("federations", Federation),
    ("charter_revisions", CharterRevision),
    ("major_decisions", MajorDecision),
    ("annual_inspections", AnnualInspection),
    ("visits", Visit),
    ("elections", Election),
    ("attendance", Attendance),
    ("dues", DuesPayment),
):
    LEDGERS[_key] = _bounded(LEDGERS[_key], _model)

# The ledgers of a member's life (recruitment, transfers, flowing members) are specified in
# their own module and registered here, bounded the same way.
from dangjian.ledgers import lifecycle_specs  # noqa: E402 - it builds on the definitions above

for _ledger, _lifecycle_model in lifecycle_specs.LEDGERS:
    LEDGERS[_ledger.key] = _bounded(_ledger, _lifecycle_model)


def ledger(key: str) -> Ledger:
    return LEDGERS[key]


@cache
def header_index(ledger_key: str) -> dict[str, str]:
    """Normalised header or synonym → column key."""
    index: dict[str, str] = {}
    for column in LEDGERS[ledger_key].columns:
        for spelling in (column.header, *column.synonyms):
            index.setdefault(header_key(spelling), column.key)
    return index
