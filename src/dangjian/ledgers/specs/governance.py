"""The columns of the federation, charter, decision, inspection, visit and election ledgers."""

from __future__ import annotations

from django.db import models

from dangjian.governance.models import MajorDecision
from dangjian.inspections.models import AnnualInspection
from dangjian.ledgers.specs.base import DATE_NOTE, Column, _yes_no_note
from dangjian.party.models import Election


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
