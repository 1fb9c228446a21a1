"""The columns of the ledgers of a member's life: recruitment steps (发展党员工作台账),
transfers of the 组织关系 (组织关系转接台账) and flowing members (流动党员台账).

Kept beside ``specs`` (which registers them in ``specs.LEDGERS`` like its own) so that module
stays readable. As there, the Chinese headers, synonyms and notes are the file format users
exchange, written in Chinese rather than translated.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.ledgers.specs import DATE_NOTE, MEMBER_COLUMNS, Column, Ledger, _yes_no_note
from dangjian.party.models import FlowingPeriod, PartyMember
from dangjian.recruitment.models import Step
from dangjian.transfers.models import Transfer

ID_SYNONYMS = MEMBER_COLUMNS[4].synonyms


class Decider(models.TextChoices):
    """Who decided an activist (the recruitment step form's choices, same words)."""

    BRANCH_COMMITTEE = "branch_committee", _("the branch committee")
    GENERAL_MEETING = "general_meeting", _("the branch general meeting (no committee)")


class PutForward(models.TextChoices):
    PARTY_MEMBERS = "party_members", _("recommendation by party members")
    MASS_ORGANIZATION = "mass_organization", _("recommendation by a mass organization")


class TransferKind(models.TextChoices):
    WITHIN = "within", _("transfer within the system")
    OUT = "out", _("transfer out of the system")
    IN = "in", _("transfer into the system from outside")


def _count(key: str, header: str, synonyms: tuple[str, ...], note: str) -> Column:
    return Column(key, header, "int", False, synonyms, note=note, width=10)


RECRUITMENT_COLUMNS = (
    Column(
        "branch",
        "党支部",
        "name",
        True,
        ("党组织名称", "所在党支部", "接收申请的党支部"),
        note="接收入党申请的党支部，须是您所管理的党组织。",
        example="测试甲协会党支部",
        width=24,
    ),
    Column("name", "姓名", "name", True, ("申请人姓名",), example="王五", width=10),
    Column(
        "id_number",
        "公民身份号码",
        "id_number",
        True,
        ID_SYNONYMS,
        note="识别入党申请人。请把该列设为“文本”格式。",
        example="110105200001011234",
        width=22,
    ),
    Column(
        "step",
        "发展步骤",
        "text",
        True,
        ("步骤", "环节", "工作环节", "发展环节"),
        note=(
            "《中国共产党发展党员工作细则》的步骤名称，如 递交入党申请书、党组织派人谈话、"
            "推荐和确定入党积极分子、指定培养联系人、确定发展对象、确定入党介绍人、进行政治审查、"
            "开展集中培训、支部大会讨论、上级党委审批、入党宣誓、支部大会讨论（转正）等。"
            "一行一个步骤；一名申请人的第一行是“递交入党申请书”。"
        ),
        example="递交入党申请书",
        width=24,
    ),
    Column(
        "done_on",
        "日期",
        "date",
        True,
        ("完成日期", "办理日期", "时间"),
        note="该步骤完成的日期。" + DATE_NOTE,
        example="2024-03-01",
        bound="party",
    ),
    Column(
        "acted_by",
        "经办人或机构",
        "text",
        False,
        ("经办人", "执行人", "谈话人", "经办机构"),
        note="如 谈话人姓名、支部委员会。留空按细则写明的主体记录。",
        width=16,
    ),
    Column(
        "note",
        "材料及备注",
        "text",
        False,
        ("材料", "备注", "材料名称"),
        note="归档材料和说明，如 入党申请书、谈话记录。",
        width=24,
    ),
    Column(
        "phone",
        "联系电话",
        "phone",
        False,
        ("手机", "手机号码"),
        note="仅“递交入党申请书”一行读取。",
        width=14,
    ),
    Column(
        "education",
        "学历",
        "choice",
        False,
        ("文化程度",),
        choices=PartyMember.Education,
        note="仅“递交入党申请书”一行读取。",
        width=10,
    ),
    Column(
        "members",
        "培养联系人或入党介绍人",
        "text",
        False,
        ("培养联系人", "联系人", "入党介绍人", "介绍人"),
        note="“指定培养联系人”“确定入党介绍人”两步填写正式党员姓名，多人用顿号分隔。",
        example="",
        width=20,
    ),
    Column(
        "decided_by",
        "确定机构",
        "choice",
        False,
        ("决定机构",),
        choices=Decider,
        extra=(
            ("支部委员会", "branch_committee"),
            ("支委会", "branch_committee"),
            ("支部大会", "general_meeting"),
            ("支部党员大会", "general_meeting"),
        ),
        note="“推荐和确定入党积极分子”一步填写：支部委员会，或（不设支部委员会的）支部大会。",
        width=14,
    ),
    Column(
        "method",
        "推荐方式",
        "choice",
        False,
        ("产生方式",),
        choices=PutForward,
        extra=(("党员推荐", "party_members"), ("群团组织推优", "mass_organization")),
        note="“推荐和确定入党积极分子”一步填写：党员推荐 或 群团组织推优。",
        width=14,
    ),
    Column(
        "passed",
        "政审是否合格",
        "bool",
        False,
        ("政审结论", "政审合格"),
        note="“进行政治审查”一步：" + _yes_no_note("合格"),
        width=10,
    ),
    _count("days", "培训天数", ("集中培训天数",), "“开展集中培训”一步：天数。"),
    _count("hours", "培训学时", ("集中培训学时", "学时"), "“开展集中培训”一步：学时。"),
    _count(
        "present",
        "到会有表决权党员数",
        ("实到有表决权党员", "到会人数"),
        "两次支部大会讨论填写；应到人数由系统按当日有表决权的正式党员计算。",
    ),
    _count("yes_present", "到会赞成票数", ("赞成票",), "两次支部大会讨论填写。"),
    _count("yes_written", "书面赞成票数", ("书面意见赞成",), "因故缺席党员书面表示的赞成意见。"),
    Column(
        "approver",
        "审批党委",
        "name",
        False,
        ("预审党委", "审批党组织", "审批机关"),
        note="“上级党委预审”和两次“上级党委审批”填写：具有审批权限的基层党委名称。",
        width=20,
    ),
    _count("months", "延长预备期（月）", ("延长月数",), "“延长预备期”填写：6 至 12 个月。"),
)

TRANSFER_COLUMNS = (
    Column("name", "姓名", "name", False, ("党员姓名",), note="用于核对。", width=10),
    Column(
        "id_number",
        "公民身份号码",
        "id_number",
        True,
        ID_SYNONYMS,
        note="识别党员；党员须已在党员台账中。请把该列设为“文本”格式。",
        width=22,
    ),
    Column(
        "kind",
        "转接类型",
        "choice",
        True,
        ("类型", "转接方式"),
        choices=TransferKind,
        extra=(
            ("系统内", "within"),
            ("系统内转接", "within"),
            ("转出", "out"),
            ("转出系统外", "out"),
            ("转入", "in"),
            ("从系统外转入", "in"),
        ),
        note="系统内转接 / 转出系统外 / 从系统外转入。",
        example="系统内转接",
        width=14,
    ),
    Column(
        "from_org",
        "转出党组织",
        "text",
        True,
        ("原党组织", "转出单位"),
        note="系统内转接和转出系统外：您所管理的党组织名称；从系统外转入：开具介绍信的党组织全称。",
        width=26,
    ),
    Column(
        "to_org",
        "转入党组织",
        "text",
        True,
        ("接收党组织", "去往党组织", "转入单位"),
        note="系统内转接：系统中的党组织名称；转出系统外：接收党组织全称。",
        width=26,
    ),
    Column(
        "issued_on",
        "开具日期",
        "date",
        True,
        ("介绍信开具日期", "转出日期"),
        note="介绍信开具日期。" + DATE_NOTE,
        example="2024-04-20",
        bound="party",
    ),
    Column(
        "letter_no",
        "介绍信编号",
        "text",
        False,
        ("介绍信号", "编号", "介绍信字号"),
        note=(
            "按纸质存根填写，如 测网联组〔2024〕3号。与本联合会介绍信登记簿格式一致的编号记入"
            "登记簿（此后新开的介绍信从其后编号）；从系统外转入时必填。"
        ),
        width=20,
    ),
    Column(
        "valid_days",
        "有效期（天）",
        "int",
        False,
        ("有效期", "有效天数"),
        note="留空按规则库默认（90 天）。",
        width=10,
    ),
    Column(
        "accepted_on",
        "接收日期",
        "date",
        False,
        ("转入日期", "接转日期"),
        note="接收党组织接收的日期，组织关系自该日转移；留空表示尚待接收。" + DATE_NOTE,
        bound="party",
    ),
    Column(
        "receipt_on",
        "回执日期",
        "date",
        False,
        ("回执退回日期", "回执寄回日期"),
        note="转出系统外：回执退回的日期（留空同接收日期）。",
        bound="party",
    ),
    Column(
        "dues_paid_to",
        "党费交至",
        "month",
        False,
        ("党费缴至", "党费交到"),
        note="如 2024-03。",
        width=10,
    ),
    Column("reason", "转接原因", "text", False, ("原因",), width=16),
)

FLOWING_COLUMNS = (
    Column("name", "姓名", "name", False, ("党员姓名",), note="用于核对。", width=10),
    Column(
        "id_number",
        "公民身份号码",
        "id_number",
        True,
        ID_SYNONYMS,
        note="识别党员；党员须已在党员台账中。请把该列设为“文本”格式。",
        width=22,
    ),
    Column(
        "certificate_no",
        "流动党员活动证编号",
        "text",
        False,
        ("活动证编号", "活动证号", "流动党员活动证号"),
        width=18,
    ),
    Column(
        "whereabouts",
        "外出地点",
        "text",
        True,
        ("流动去向", "外出去向", "所在地", "流入地"),
        example="广东省深圳市",
        width=20,
    ),
    Column(
        "host",
        "流入地党组织",
        "text",
        False,
        ("参加组织生活的党组织", "流入党组织"),
        note="党员参加组织生活（无表决权）的党组织：系统中的党组织按名称识别，其他写全称。",
        width=24,
    ),
    Column(
        "since",
        "外出日期",
        "date",
        True,
        ("流出日期", "开始日期"),
        note=DATE_NOTE,
        example="2024-05-01",
        bound="party",
    ),
    Column(
        "until",
        "返回日期",
        "date",
        False,
        ("结束日期", "返回原地日期"),
        note="返回或已转移组织关系的日期；留空表示仍在外流动。",
        bound="party",
    ),
    Column("note", "备注", "text", False, width=20),
)

LEDGERS: tuple[tuple[Ledger, type[models.Model]], ...] = (
    (
        Ledger(
            "recruitment",
            "发展党员工作台账",
            RECRUITMENT_COLUMNS,
            "每行一名入党申请人的一个发展步骤（按日期先后办理，与页面同样校验）；"
            "已记录的步骤重复导入不会重复记录。",
        ),
        Step,
    ),
    (
        Ledger(
            "transfers",
            "组织关系转接台账",
            TRANSFER_COLUMNS,
            "每行一次组织关系转接，以党员和开具日期识别；组织关系在接收日期转移。",
        ),
        Transfer,
    ),
    (
        Ledger(
            "flowing",
            "流动党员台账",
            FLOWING_COLUMNS,
            "每行一名党员的一段外出流动，以党员和外出日期识别。",
        ),
        FlowingPeriod,
    ),
)
