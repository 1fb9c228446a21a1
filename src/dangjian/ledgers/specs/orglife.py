"""The columns of the meeting, attendance (sign-in) and dues ledgers."""

from __future__ import annotations

from dangjian.dues.models import DuesPayment
from dangjian.ledgers.specs.base import DATE_NOTE, Column
from dangjian.ledgers.specs.members import MEMBER_COLUMNS
from dangjian.orglife.models import Attendance, Meeting

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
