"""The ledgers' columns: the file format of each template, with header synonyms and notes.

The Chinese headers, synonyms and notes below are the format of the files users exchange (a
header is matched whatever the interface language is), so they are written in Chinese here
rather than translated. Coded columns accept the Chinese label of the model's choices (as the
template's drop-down shows it), the stored code, and the extra spellings listed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

from django.utils import translation

from dangjian.dues.models import DuesPayment
from dangjian.orglife.models import Meeting
from dangjian.party.models import (
    Coverage,
    Instructor,
    PartyMember,
    PartyOrganization,
    Position,
)
from dangjian.registry.models import Membership, Organization

TEMPLATE_VERSION = 2
# Versions of the templates that were handed out and are still read (with a notice).
OLD_TEMPLATE_VERSIONS = {1}
META_SHEET = "_dangjian"
NOTES_SHEET = "填写说明"
DEFINED_NAME = "DANGJIAN_TEMPLATE"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str  # text, name, code, uscc, id_number, phone, date, bool, int, choice, month, money
    required: bool = False
    synonyms: tuple[str, ...] = ()
    choices: object = None  # a TextChoices class
    extra: tuple[tuple[str, str], ...] = ()  # extra spellings → code
    note: str = ""
    example: object = ""
    width: int = 16
    max_length: int = 0  # text columns: the model field's bound (0: none), see _bounded

    def labels(self) -> dict[str, str]:
        return choice_labels(self.choices, self.extra) if self.choices else {}


@dataclass(frozen=True)
class Ledger:
    key: str
    title: str
    columns: tuple[Column, ...]
    note: str = ""
    by_key: dict = field(default_factory=dict, compare=False, hash=False)

    def column(self, key: str) -> Column:
        return {c.key: c for c in self.columns}[key]


@cache
def choice_labels(choices, extra: tuple = ()) -> dict[str, str]:
    """Accepted spellings → code; the Chinese labels come first (they fill the drop-downs)."""
    labels: dict[str, str] = {}
    with translation.override("zh-hans"):
        for value, label in choices.choices:
            labels[str(label)] = value
    for value in choices.values:
        labels.setdefault(value, value)
    for spelling, value in extra:
        labels.setdefault(spelling, value)
    return labels


def header_key(text: str) -> str:
    """How headers are compared: half-width, no spaces, marks or bracketed remarks."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    text = re.sub(r"\(.*?\)|\[.*?\]|【.*?】", "", text)
    return re.sub(r"[\s*＊:：#№.、]", "", text).lower()


def _yes_no_note(what: str) -> str:
    return f"{what}填“是”或“否”（也可用 ✓ / √，空白表示否）。"


DATE_NOTE = "日期，如 2019-06-28、2019年6月28日、2019.6.28、20190628 均可。"

MEMBER_COLUMNS = (
    Column(
        "name", "姓名", "name", True, ("党员姓名",), note="党员姓名。", example="张三", width=10
    ),
    Column(
        "gender",
        "性别",
        "choice",
        False,
        choices=PartyMember.Gender,
        extra=(("男性", "male"), ("女性", "female")),
        note="男 / 女；留空则按身份证号码推算。",
        example="男",
        width=6,
    ),
    Column(
        "ethnicity", "民族", "text", False, note="如 汉族。留空视为汉族。", example="汉族", width=8
    ),
    Column(
        "birth_date",
        "出生日期",
        "date",
        False,
        ("出生年月",),
        note="留空则按身份证号码推算。" + DATE_NOTE,
        example="1990-03-07",
    ),
    Column(
        "id_number",
        "公民身份号码",
        "id_number",
        True,
        ("身份证号", "身份证号码", "身份证", "居民身份证号码", "证件号码", "身份证件号码"),
        note="18 位居民身份证号码，唯一标识一名党员。请把该列设为“文本”格式，"
        "否则 Excel 会把号码变成 1.10105E+17 并丢掉后几位，这样的号码会被拒绝。",
        example="11010519900307233X",
        width=22,
    ),
    Column(
        "phone",
        "联系电话",
        "phone",
        False,
        ("手机号", "手机", "电话", "手机号码"),
        example="13800138000",
    ),
    Column(
        "education",
        "学历",
        "choice",
        False,
        ("文化程度",),
        choices=PartyMember.Education,
        extra=(
            ("本科", "bachelor"),
            ("大学", "bachelor"),
            ("硕士", "master"),
            ("研究生", "master"),
            ("博士", "doctor"),
            ("专科", "college"),
            ("大专及以下", "college"),
            ("高中", "secondary"),
            ("中专", "secondary"),
            ("初中", "secondary"),
        ),
        example="大学本科",
    ),
    Column(
        "joined_party_on",
        "入党日期",
        "date",
        True,
        ("入党时间",),
        note="加入党组织的日期。" + DATE_NOTE,
        example="2015-07-01",
    ),
    Column(
        "full_member_on",
        "转正日期",
        "date",
        False,
        ("转正时间",),
        note="预备党员留空。" + DATE_NOTE,
        example="2016-07-01",
    ),
    Column(
        "employer_uscc",
        "工作单位统一社会信用代码",
        "uscc",
        False,
        ("工作单位信用代码", "单位统一社会信用代码", "统一社会信用代码", "信用代码"),
        note="工作单位（本联合会会员单位）的 18 位统一社会信用代码；留空时按工作单位名称查找。",
        example="",
        width=22,
    ),
    Column(
        "employer_name",
        "工作单位",
        "name",
        False,
        ("工作单位名称", "所在单位", "单位名称"),
        note="工作单位全称，须是本联合会的会员单位。",
        example="",
        width=24,
    ),
    Column("job_title", "职务", "text", False, ("单位职务", "岗位"), example="副秘书长"),
    Column(
        "employed_from",
        "入职日期",
        "date",
        False,
        ("到岗日期",),
        note="在该单位工作的起始日期；留空为导入当天。" + DATE_NOTE,
        example="2020-01-01",
    ),
    Column(
        "relation",
        "组织关系所在党组织",
        "name",
        False,
        ("组织关系所在", "组织关系", "所在党组织", "所在党支部"),
        note="本联合会党组织的全称；不在本系统中的党组织照原样记录。",
        example="",
        width=24,
    ),
    Column(
        "is_flowing", "是否流动党员", "bool", False, ("流动党员",), note=_yes_no_note("流动党员")
    ),
    Column(
        "is_lost_contact",
        "是否失联",
        "bool",
        False,
        ("失联党员", "是否失联党员"),
        note=_yes_no_note("失联党员"),
    ),
    Column(
        "left_on",
        "离开日期",
        "date",
        False,
        ("转出日期", "离开本单位日期"),
        note="党员离开本台账（转出、离职）的日期：其从业记录在该日结束，记录保留。" + DATE_NOTE,
    ),
)

ORGANIZATION_COLUMNS = (
    Column(
        "name",
        "单位名称",
        "name",
        True,
        ("名称", "会员单位名称", "单位全称"),
        example="天津市示例协会",
        width=28,
    ),
    Column(
        "uscc",
        "统一社会信用代码",
        "uscc",
        True,
        ("信用代码", "社会信用代码", "统一代码"),
        note="18 位统一社会信用代码，唯一标识一家单位。",
        example="51120000MJ0000000X",
        width=22,
    ),
    Column(
        "legal_form",
        "法人类型",
        "choice",
        True,
        ("单位类型", "登记类型"),
        choices=Organization.LegalForm,
        extra=(("社团", "social_group"), ("民非", "private_non_enterprise")),
        example="社会团体",
    ),
    Column(
        "category",
        "单位类别",
        "choice",
        True,
        ("类别",),
        choices=Organization.Category,
        example="协会",
    ),
    Column(
        "district",
        "所在区",
        "text",
        False,
        ("区", "所在区县", "行政区"),
        example="和平区",
        width=10,
    ),
    Column("supervising_unit", "业务主管单位", "text", False, ("主管单位",), width=20),
    Column("registration_authority", "登记管理机关", "text", False, ("登记机关",), width=20),
    Column("founded_on", "成立日期", "date", False, ("成立时间",), note=DATE_NOTE),
    Column("registered_address", "注册地址", "text", False, ("地址", "住所"), width=28),
    Column("contact_name", "联系人", "name", False, width=10),
    Column("contact_phone", "联系电话", "phone", False, ("电话",)),
    Column(
        "status",
        "状态",
        "choice",
        False,
        ("单位状态",),
        choices=Organization.Status,
        extra=(("正常", "active"), ("注销", "deregistered")),
        note="留空为“有效”。",
        example="有效",
    ),
    Column(
        "membership_role",
        "会员类别",
        "choice",
        False,
        ("会员身份", "在联合会中的身份"),
        choices=Membership.Role,
        extra=(
            ("会员", "member"),
            ("理事", "director"),
            ("常务理事", "standing_director"),
            ("副会长", "vice_president"),
            ("会长", "president"),
        ),
        note="新单位加入本联合会时的身份，留空为会员单位；身份变更请用“会员关系台账”。",
        example="会员单位",
    ),
    Column(
        "joined_on",
        "入会日期",
        "date",
        False,
        ("加入日期", "入会时间"),
        note="新单位加入本联合会的日期；留空为导入当天。" + DATE_NOTE,
    ),
)

MEMBERSHIP_COLUMNS = (
    Column("name", "单位名称", "name", False, ("名称", "会员单位名称"), width=28),
    Column("uscc", "统一社会信用代码", "uscc", True, ("信用代码",), width=22),
    Column(
        "role",
        "会员类别",
        "choice",
        True,
        ("会员身份",),
        choices=Membership.Role,
        extra=ORGANIZATION_COLUMNS[12].extra,
        example="理事单位",
    ),
    Column("valid_from", "入会日期", "date", True, ("加入日期", "入会时间"), note=DATE_NOTE),
    Column(
        "valid_to",
        "退会日期",
        "date",
        False,
        ("退出日期",),
        note="单位退出本联合会的日期：会员关系在该日结束，记录保留。" + DATE_NOTE,
    ),
    Column("note", "备注", "text", False, width=24),
)

PARTY_ORG_COLUMNS = (
    Column(
        "name",
        "党组织名称",
        "name",
        True,
        ("党组织全称", "名称"),
        example="天津市示例协会党支部",
        width=28,
    ),
    Column(
        "kind",
        "党组织类别",
        "choice",
        True,
        ("类别", "党组织类型"),
        choices=PartyOrganization.Kind,
        example="党支部",
    ),
    Column(
        "parent",
        "上级党组织",
        "name",
        False,
        ("隶属党组织",),
        note="本联合会中上级党组织的全称（可在本表中）。",
        width=24,
    ),
    Column("valid_from", "成立日期", "date", True, ("建立日期", "组建日期"), note=DATE_NOTE),
    Column(
        "formation_mode",
        "组建方式",
        "choice",
        False,
        choices=PartyOrganization.FormationMode,
        width=22,
    ),
    Column("approval_doc_no", "批复文号", "text", False, ("批文号",)),
    Column("approval_date", "批复日期", "date", False, note=DATE_NOTE),
    Column("term_started_on", "本届开始日期", "date", False, ("换届日期",), note=DATE_NOTE),
    Column("term_years", "任期（年）", "int", False, ("任期", "任期年限"), example=3),
    Column(
        "covered_uscc",
        "覆盖单位统一社会信用代码",
        "text",
        False,
        ("覆盖单位信用代码", "覆盖单位"),
        note="该党组织覆盖的会员单位的统一社会信用代码，多个用顿号或逗号分隔。"
        "填写后即为完整名单：名单中没有的原覆盖关系在导入当天结束。",
        width=30,
    ),
    Column(
        "coverage_kind",
        "覆盖方式",
        "choice",
        False,
        choices=Coverage.Kind,
        extra=(("单独", "own"), ("联合", "joint"), ("理事会", "board")),
        note="留空为“单独组建”。",
    ),
    Column(
        "valid_to",
        "撤销日期",
        "date",
        False,
        ("撤销时间",),
        note="党组织撤销的日期：其覆盖关系同时结束，记录保留。" + DATE_NOTE,
    ),
)

POSITION_COLUMNS = (
    Column("party_org", "党组织名称", "name", True, ("所在党组织",), width=28),
    Column("name", "姓名", "name", False, width=10),
    Column("id_number", "公民身份号码", "id_number", True, MEMBER_COLUMNS[4].synonyms, width=22),
    Column("role", "职务", "choice", True, ("党内职务",), choices=Position.Role, example="书记"),
    Column("valid_from", "任职日期", "date", True, ("任职时间",), note=DATE_NOTE),
    Column(
        "valid_to",
        "离任日期",
        "date",
        False,
        ("免职日期",),
        note="离任的日期：任职在该日结束。" + DATE_NOTE,
    ),
)

INSTRUCTOR_COLUMNS = (
    Column("name", "姓名", "name", True, ("指导员姓名",), width=10),
    Column(
        "kind",
        "类型",
        "choice",
        False,
        ("身份",),
        choices=Instructor.Kind,
        extra=(("指导员", "instructor"),),
        note="留空为党建工作指导员。",
    ),
    Column("phone", "联系电话", "phone", False, ("手机号", "电话")),
    Column("dispatched_by", "选派单位", "text", True, ("派出单位",), width=24),
    Column("notice_no", "选派通知文号", "text", False, ("通知文号",)),
    Column("notice_date", "通知日期", "date", False, note=DATE_NOTE),
    Column(
        "uscc",
        "派驻单位统一社会信用代码",
        "uscc",
        True,
        ("派驻单位信用代码", "统一社会信用代码"),
        width=22,
    ),
    Column("org_name", "派驻单位", "name", False, ("派驻单位名称",), width=24),
    Column("valid_from", "派驻开始日期", "date", True, ("派驻日期",), note=DATE_NOTE),
    Column(
        "valid_to", "派驻结束日期", "date", False, note="派驻结束的日期，记录保留。" + DATE_NOTE
    ),
)

MEETING_COLUMNS = (
    Column("party_org", "党组织名称", "name", True, ("党支部",), width=28),
    Column(
        "kind",
        "会议类型",
        "choice",
        True,
        ("类型", "活动类型"),
        choices=Meeting.Kind,
        example="支部党员大会",
    ),
    Column("held_on", "召开日期", "date", True, ("日期", "会议日期"), note=DATE_NOTE),
    Column("topic", "主题", "text", False, ("会议主题", "内容"), width=30),
    Column("expected_count", "应到人数", "int", False, ("应到",)),
    Column("present_count", "实到人数", "int", False, ("实到",)),
    Column("minutes", "会议记录摘要", "text", False, ("记录", "摘要"), width=40),
)

DUES_COLUMNS = (
    Column(
        "name",
        "姓名",
        "name",
        False,
        ("党员姓名",),
        note="用于核对，须与身份证号码对应的党员一致。",
        example="张三",
        width=10,
    ),
    Column(
        "id_number",
        "公民身份号码",
        "id_number",
        True,
        MEMBER_COLUMNS[4].synonyms,
        note="识别党员；须是您所管理的党组织中、组织关系在该党组织的党员。请把该列设为“文本”格式。",
        example="11010519900307233X",
        width=22,
    ),
    Column(
        "party_org",
        "所在党组织",
        "name",
        False,
        ("党支部", "组织关系所在党组织"),
        note="仅供查看：党费交到党员组织关系所在的党组织，导入时以系统记录为准。",
        width=24,
    ),
    Column(
        "month",
        "月份",
        "month",
        True,
        ("交纳月份", "所属月份", "党费月份"),
        note="党费所属月份，如 2026-03 或 2026年3月；一行一个月，预交或补交几个月就写几行。",
        example="2026-03",
        width=10,
    ),
    Column(
        "due",
        "应交金额（元）",
        "money",
        False,
        ("应交金额", "应交党费", "月应交"),
        note="仅供查看：应交金额由系统按缴费基数和比例计算。",
        width=12,
    ),
    Column(
        "amount",
        "实交金额（元）",
        "money",
        False,
        ("实交金额", "实交党费", "交纳金额", "金额"),
        note="以元为单位，最多两位小数，不得少于应交金额。留空表示该月尚未交纳（该行不导入）。",
        example=40,
        width=12,
    ),
    Column(
        "paid_on",
        "交纳日期",
        "date",
        False,
        ("缴纳日期", "交费日期"),
        note="填写实交金额时必填。" + DATE_NOTE,
        example="2026-03-10",
    ),
    Column(
        "method",
        "交纳方式",
        "choice",
        False,
        ("缴纳方式", "方式"),
        choices=DuesPayment.Method,
        extra=(
            ("现金", "cash"),
            ("转账", "transfer"),
            ("银行", "transfer"),
            ("网上", "online"),
            ("线上", "online"),
            ("微信", "online"),
            ("支付宝", "online"),
        ),
        note="现金 / 银行转账 / 线上缴纳；留空为现金。系统只记录，不办理缴费。",
        example="现金",
    ),
    Column("receipt_no", "收据号", "text", False, note="仅供查看：导入时由系统编号。", width=18),
    Column("note", "备注", "text", False, width=24),
)

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
    ("dues", DuesPayment),
):
    LEDGERS[_key] = _bounded(LEDGERS[_key], _model)


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
