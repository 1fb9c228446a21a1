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

from django.db import models
from django.utils import translation

from dangjian.dues.models import DuesPayment
from dangjian.governance.models import CharterRevision, MajorDecision
from dangjian.inspections.models import AnnualInspection, Visit
from dangjian.orglife.models import Attendance, Meeting
from dangjian.party.models import (
    Coverage,
    Election,
    Instructor,
    PartyMember,
    PartyOrganization,
    Position,
)
from dangjian.registry.models import Federation, Membership, Organization

TEMPLATE_VERSION = 3
# Versions of the templates that were handed out and are still read (with a notice). Version 3:
# the member ledger's relation is dated (组织关系转入日期); terms moved from the party
# organization ledger to the election ledger.
OLD_TEMPLATE_VERSIONS = {1, 2}
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
    # Date columns, as the forms bound them (core.validators): every date not before 1900;
    # "past": a fact that happened, not in the future; "party": a party date, not before
    # 1921-07-01 and not in the future. Unit facts are also checked against the unit's founding
    # by the handlers.
    bound: str = ""

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
        bound="past",
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
        bound="party",
    ),
    Column(
        "full_member_on",
        "转正日期",
        "date",
        False,
        ("转正时间",),
        note="预备党员留空。" + DATE_NOTE,
        example="2016-07-01",
        bound="party",
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
        bound="past",
    ),
    Column(
        "relation",
        "组织关系所在党组织",
        "name",
        False,
        ("组织关系所在", "组织关系", "所在党组织", "所在党支部"),
        note="本联合会党组织的全称；不在本系统中的党组织照原样记录。"
        "与系统中记录的不同时，即记为一次组织关系转接（转接日期见下一列）。",
        example="",
        width=24,
    ),
    Column(
        "relation_since",
        "组织关系转入日期",
        "date",
        False,
        ("组织关系转接日期", "组织关系起始日期", "组织关系转入时间"),
        note="组织关系转入上一列党组织的日期。新党员留空视为自入党之日（或该党组织成立之日，"
        "取较晚者）起；组织关系变更时留空视为导入当天。" + DATE_NOTE,
        example="2020-01-01",
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
        bound="past",
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
    Column("founded_on", "成立日期", "date", False, ("成立时间",), note=DATE_NOTE, bound="past"),
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
        bound="past",
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
    Column(
        "valid_from",
        "入会日期",
        "date",
        True,
        ("加入日期", "入会时间"),
        note=DATE_NOTE,
        bound="past",
    ),
    Column(
        "valid_to",
        "退会日期",
        "date",
        False,
        ("退出日期",),
        note="单位退出本联合会的日期：会员关系在该日结束，记录保留。" + DATE_NOTE,
        bound="past",
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
    Column(
        "valid_from",
        "成立日期",
        "date",
        True,
        ("建立日期", "组建日期"),
        note=DATE_NOTE,
        bound="party",
    ),
    Column(
        "formation_mode",
        "组建方式",
        "choice",
        False,
        choices=PartyOrganization.FormationMode,
        width=22,
    ),
    Column("approval_doc_no", "批复文号", "text", False, ("批文号",)),
    Column("approval_date", "批复日期", "date", False, note=DATE_NOTE, bound="party"),
    Column(
        "covered_uscc",
        "覆盖单位统一社会信用代码",
        "text",
        False,
        ("覆盖单位信用代码", "覆盖单位"),
        note="该党组织覆盖的会员单位的统一社会信用代码，多个用顿号或逗号分隔。"
        "填写后即为完整名单：名单中没有的原覆盖关系在导入当天结束。"
        "已撤销的党组织填写撤销时覆盖的单位，覆盖关系记到撤销日期为止（同一行导入成立和撤销也可以）。",
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
        bound="party",
    ),
)

POSITION_COLUMNS = (
    Column("party_org", "党组织名称", "name", True, ("所在党组织",), width=28),
    Column("name", "姓名", "name", False, width=10),
    Column("id_number", "公民身份号码", "id_number", True, MEMBER_COLUMNS[4].synonyms, width=22),
    Column("role", "职务", "choice", True, ("党内职务",), choices=Position.Role, example="书记"),
    Column("valid_from", "任职日期", "date", True, ("任职时间",), note=DATE_NOTE, bound="party"),
    Column(
        "valid_to",
        "离任日期",
        "date",
        False,
        ("免职日期",),
        note="离任的日期：任职在该日结束。" + DATE_NOTE,
        bound="party",
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
    Column("notice_date", "通知日期", "date", False, note=DATE_NOTE, bound="past"),
    Column(
        "uscc",
        "派驻单位统一社会信用代码",
        "uscc",
        True,
        ("派驻单位信用代码", "统一社会信用代码"),
        width=22,
    ),
    Column("org_name", "派驻单位", "name", False, ("派驻单位名称",), width=24),
    Column("valid_from", "派驻开始日期", "date", True, ("派驻日期",), note=DATE_NOTE, bound="past"),
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
    Column(
        "held_on", "召开日期", "date", True, ("日期", "会议日期"), note=DATE_NOTE, bound="party"
    ),
    Column("topic", "主题", "text", False, ("会议主题", "内容"), width=30),
    Column("expected_count", "应到人数", "int", False, ("应到",)),
    Column("present_count", "实到人数", "int", False, ("实到",)),
    Column(
        "voters_expected",
        "应到有表决权人数",
        "int",
        False,
        ("有表决权应到",),
        note="支部党员大会、支委会的法定人数以此计算；留空时按应到、实到人数计算。",
    ),
    Column("voters_present", "实到有表决权人数", "int", False, ("有表决权实到",)),
    Column("minutes", "会议记录摘要", "text", False, ("记录", "摘要"), width=40),
)


class FederationLevel(models.TextChoices):
    """The levels as the ledger writes them (Federation.Level's codes): the model's labels
    share their English words with other fields ("district" is also a unit's 所在区)."""

    NATIONAL = "national", "全国"
    PROVINCIAL = "provincial", "省级"
    CITY = "city", "市级"
    DISTRICT = "district", "区县级"


FEDERATION_COLUMNS = (
    Column(
        "name",
        "联合会名称",
        "name",
        True,
        ("联合会全称", "名称"),
        note="联合会全称，唯一标识一个联合会。本联合会自己也可以占一行（补充其信用代码、成立日期等）。",
        example="天津市和平区网络社会组织联合会",
        width=30,
    ),
    Column("short_name", "简称", "text", False, ("联合会简称",), example="和平网联", width=12),
    Column(
        "level",
        "层级",
        "choice",
        True,
        ("级别", "联合会层级"),
        choices=FederationLevel,
        extra=(
            ("全国性", "national"),
            ("国家级", "national"),
            ("省", "provincial"),
            ("市", "city"),
            ("区", "district"),
            ("区级", "district"),
            ("县级", "district"),
        ),
        note="全国 / 省级 / 市级 / 区县级；须低于上级联合会的层级。",
        example="区县级",
    ),
    Column(
        "parent",
        "上级联合会",
        "name",
        False,
        ("上级联合会名称", "上级单位"),
        note="上级联合会的全称：本联合会或其下级联合会（可在本表中）。本联合会自己的一行可留空；"
        "填写时须与系统中已有的上级一致。",
        example="天津市网络社会组织联合会",
        width=30,
    ),
    Column(
        "uscc",
        "统一社会信用代码",
        "uscc",
        False,
        ("信用代码", "社会信用代码"),
        note="联合会的 18 位统一社会信用代码。",
        width=22,
    ),
    Column("region", "地区", "text", False, ("所在地区", "行政区域"), example="和平区", width=12),
    Column("supervising_unit", "业务主管单位", "text", False, ("主管单位",), width=24),
    Column("founded_on", "成立日期", "date", False, ("成立时间",), note=DATE_NOTE),
    Column(
        "letter_prefix",
        "发文代字",
        "text",
        False,
        ("发文字号代字", "机关代字"),
        note="发文字号中的机关代字，如“和平网联〔2026〕12号”中的“和平网联”。",
        width=12,
    ),
)

UNIT_NAME = Column(
    "name",
    "单位名称",
    "name",
    False,
    ("名称", "会员单位名称"),
    note="单位全称；填写了统一社会信用代码时按代码识别单位。",
    width=28,
)
UNIT_USCC = Column(
    "uscc",
    "统一社会信用代码",
    "uscc",
    True,
    ("信用代码", "单位统一社会信用代码"),
    note="本联合会会员单位的 18 位统一社会信用代码；没有这一列时按单位名称识别。",
    width=22,
)

CHARTER_COLUMNS = (
    UNIT_NAME,
    UNIT_USCC,
    Column(
        "adopted_on",
        "章程通过日期",
        "date",
        True,
        ("通过日期", "修订日期", "核准日期"),
        note="会员（代表）大会通过该版章程的日期；同一单位同一日期只有一版。" + DATE_NOTE,
        example="2019-06-28",
    ),
    Column(
        "has_party_building_clause",
        "是否写入党建工作内容",
        "bool",
        True,
        ("写入党建工作内容", "含党建条款", "是否含党建条款", "党建入章"),
        note="该版章程是否写明党的建设有关内容，填“是”或“否”（必填：空白不当作否）。",
        example="是",
    ),
    Column("note", "备注", "text", False, ("说明",), width=24),
)

DECISION_COLUMNS = (
    UNIT_NAME,
    UNIT_USCC,
    Column(
        "decided_on",
        "决策日期",
        "date",
        True,
        ("日期", "会议日期"),
        note="作出决策的日期。" + DATE_NOTE,
        example="2024-03-15",
    ),
    Column(
        "body",
        "决策机构",
        "choice",
        True,
        ("决策会议", "会议类型"),
        choices=MajorDecision.Body,
        extra=(
            ("理事会议", "board"),
            ("常务理事会议", "standing_board"),
            ("会员代表大会", "general_assembly"),
            ("会员（代表）大会", "general_assembly"),
            ("会员大会", "general_assembly"),
        ),
        example="理事会",
    ),
    Column(
        "subject",
        "决策事项",
        "text",
        True,
        ("事项", "议题", "重大事项"),
        note="决策事项的名称；同一单位同一日期的同一事项只记一次。",
        example="审议年度预算",
        width=30,
    ),
    Column(
        "party_participated",
        "党组织是否参与",
        "bool",
        True,
        ("党组织参与", "党组织前置研究", "是否经党组织研究"),
        note="党组织是否参与（前置研究讨论）了该项决策，填“是”或“否”（必填：空白不当作否）。",
        example="是",
    ),
    Column("note", "备注", "text", False, ("说明",), width=24),
)

INSPECTION_COLUMNS = (
    UNIT_NAME,
    UNIT_USCC,
    Column(
        "year",
        "年度",
        "int",
        True,
        ("检查年度", "工作年度", "年检年度"),
        note="年度检查所针对的工作年度，如 2024（2025 年上半年检查 2024 年度）。",
        example=2024,
        width=8,
    ),
    Column(
        "report_to_supervisor_on",
        "报送业务主管单位日期",
        "date",
        False,
        ("报送主管单位日期",),
        note="年度工作报告送达业务主管单位的日期，须在该年度结束之后。" + DATE_NOTE,
    ),
    Column(
        "report_to_registrar_on",
        "报送登记管理机关日期",
        "date",
        False,
        ("报送登记机关日期",),
        note="年度工作报告送达登记管理机关的日期，须在该年度结束之后。" + DATE_NOTE,
    ),
    Column(
        "conclusion",
        "检查结论",
        "choice",
        False,
        ("结论", "年检结论", "年检结果"),
        choices=AnnualInspection.Conclusion,
        note="合格 / 基本合格 / 不合格；尚未作出结论的留空。结论为合格的，须已报送登记管理机关"
        "（免检单位除外）。",
        example="合格",
    ),
    Column("notes", "检查意见", "text", False, ("备注", "意见"), width=30),
)

VISIT_COLUMNS = (
    UNIT_NAME,
    UNIT_USCC,
    Column(
        "visited_on",
        "走访日期",
        "date",
        True,
        ("日期", "调研日期"),
        note="走访调研的日期，不能早于单位成立日期。" + DATE_NOTE,
        example="2024-05-10",
    ),
    Column(
        "visitors",
        "走访人员",
        "text",
        True,
        ("走访人", "调研人员"),
        note="走访人员的姓名，多人用顿号分隔；同一单位同一日期同一批人员的走访只记一次。",
        example="周指导、王干事",
        width=20,
    ),
    Column(
        "instructor",
        "党建工作指导员",
        "name",
        False,
        ("指导员", "指导员姓名"),
        note="参加走访的党建工作指导员姓名，须是派驻过该单位的指导员（见党建工作指导员台账）。",
        width=12,
    ),
    Column(
        "findings",
        "走访情况",
        "text",
        True,
        ("发现的情况", "调研情况", "情况"),
        example="党支部按期召开支部党员大会。",
        width=40,
    ),
    Column(
        "unreachable_at_address",
        "登记住所无法联系",
        "bool",
        False,
        ("住所无法联系", "无法联系"),
        note=_yes_no_note("在登记住所无法联系到该单位的"),
    ),
    Column("follow_up", "后续跟进", "text", False, ("跟进", "整改情况"), width=30),
)

ELECTION_COLUMNS = (
    Column(
        "party_org",
        "党组织名称",
        "name",
        True,
        ("党组织全称", "所在党组织", "党支部"),
        note="本联合会党组织的全称（先用“党组织及覆盖台账”导入党组织）。",
        example="天津市示例协会党支部",
        width=28,
    ),
    Column(
        "held_on",
        "选举日期",
        "date",
        True,
        ("换届日期", "换届时间", "选举时间", "本届开始日期"),
        note="召开党员大会（党员代表大会）进行选举的日期，本届任期自该日起算。" + DATE_NOTE,
        example="2023-06-18",
    ),
    Column(
        "kind",
        "选举类型",
        "choice",
        False,
        ("类型", "换届类型"),
        choices=Election.Kind,
        extra=(("成立", "founding"), ("首届", "founding"), ("换届", "general")),
        note="成立选举 / 换届选举 / 补选；留空时选举日期为党组织成立日期的记为成立选举，其余为换届选举。"
        "补选不开始新的任期。",
        example="换届选举",
    ),
    Column(
        "term_years",
        "任期（年）",
        "int",
        False,
        ("任期", "任期年限", "每届任期"),
        note="本届任期年数；留空按规则库：基层党委 5 年，党总支、党支部 3 年。",
        example=3,
    ),
    Column(
        "document_no",
        "选举结果批复文号",
        "text",
        False,
        ("批复文号", "选举批复文号"),
        width=20,
    ),
    Column(
        "ext_approved_on",
        "延期批准日期",
        "date",
        False,
        ("批准延期日期",),
        note="上级党组织批准本届任期延期换届的日期；未批准延期的留空（延期须经批准，不会自动延期）。"
        + DATE_NOTE,
    ),
    Column(
        "ext_approved_by",
        "延期批准机关",
        "text",
        False,
        ("批准机关", "批准延期的上级党组织"),
        note="批准延期的上级党组织全称。",
        width=24,
        max_length=200,
    ),
    Column("ext_document_no", "延期批复文号", "text", False, width=20, max_length=100),
    Column(
        "ext_until",
        "延期至",
        "date",
        False,
        ("延期截止日期", "延期换届截止日期"),
        note="批准延期后本届任期的最后一天，至多为任期届满后 1 年（规则库参数）。" + DATE_NOTE,
    ),
)

# One row per member and meeting: the sign-in sheet (签到表) of meetings already in the ledger.
# Whether each attends with a vote is read from the party ledger on the meeting's day, as the
# pages do; 应到 / 实到 and the quorum then follow from these rows.
ATTENDANCE_COLUMNS = (
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
    Column(
        "topic",
        "主题",
        "text",
        False,
        ("会议主题",),
        note="同一天有两次同类会议时填写，以区分。",
        width=30,
    ),
    Column("name", "姓名", "name", False, width=10),
    Column("id_number", "公民身份号码", "id_number", True, MEMBER_COLUMNS[4].synonyms, width=22),
    Column(
        "status",
        "出席情况",
        "choice",
        True,
        ("出席", "是否出席", "到会情况"),
        choices=Attendance.Status,
        extra=(("到会", "present"), ("实到", "present"), ("未到", "absent"), ("请假", "absent")),
        example="出席",
    ),
    Column(
        "reason",
        "缺席原因",
        "choice",
        False,
        ("请假原因", "缺席事由"),
        choices=Attendance.Reason,
        extra=(("病假", "sick"), ("事假", "personal"), ("公假", "official"), ("其他", "other")),
        note="缺席时必填：病假、事假、公假或其他。",
    ),
    Column("note", "备注", "text", False, width=20),
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
