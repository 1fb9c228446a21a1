"""One filled-in sample of every ledger kind, for the tests that run each kind the same way
(re-import, template round-trip). Rows are {header: value}, so a test can write them in its own
column order or into the downloaded template.

``prerequisites`` are the ledgers a kind refers to (a position needs its member, a visit its
unit), imported first; the world fixture (conftest) already holds two units and one branch.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

from dangjian.core import crypto
from dangjian.dues import services as dues_services
from dangjian.dues.models import Category
from dangjian.party.models import PartyMember
from dangjian.party.services.relations import earliest_start, move_relation

from .conftest import make_id, make_uscc
from .helpers import commit, upload


@dataclass
class Sample:
    rows: list[dict]
    prerequisites: list[tuple[str, list[dict]]] = field(default_factory=list)
    # Facts no ledger carries (a member's 组织关系, their dues base), set through the services
    # after the prerequisites are imported.
    setup: Callable[[object], None] | None = None


def _relation_and_base(world) -> None:
    """Member 11 holds their relation in the world's branch, and has a dues base (4,000 yuan a
    month, employed: 1% of a base over 3,000 up to 5,000 = 40 yuan) from January 2024."""
    member = PartyMember.objects.get(id_number_hash=crypto.blind_index(make_id(11)))
    move_relation(
        member, to=world.branch, on=earliest_start(member, world.branch), actor=world.user
    )
    dues_services.declare_base(
        member,
        from_month=datetime.date(2024, 1, 1),
        category=Category.EMPLOYED,
        base_fen=400_000,
        declared_on=datetime.date(2024, 1, 5),
        actor=world.user,
    )


def _relation(world) -> None:
    """Member 11 holds their relation in the world's branch (the transfers sample moves it)."""
    member = PartyMember.objects.get(id_number_hash=crypto.blind_index(make_id(11)))
    move_relation(
        member, to=world.branch, on=earliest_start(member, world.branch), actor=world.user
    )


def _member(world, n=11, name="张三"):
    return {
        "姓名": name,
        "性别": "男",
        "公民身份号码": make_id(n),
        "联系电话": "13800138000",
        "学历": "大学本科",
        "入党日期": "2015-07-01",
        "转正日期": "2016-07-01",
        "工作单位统一社会信用代码": world.units[0].uscc,
        "职务": "干事",
        "入职日期": "2019-01-01",
    }


def samples(world) -> dict[str, Sample]:
    a, b = world.units[0].uscc, world.units[1].uscc
    meetings = [
        {
            "党组织名称": "测试甲协会党支部",
            "会议类型": "支部党员大会",
            "召开日期": "2024-03-05",
            "主题": "学习会",
            "应到人数": 10,
            "实到人数": 9,
            "会议记录摘要": "传达学习文件。",
        }
    ]
    members = [_member(world), {**_member(world, 22, "李四"), "性别": "女", "转正日期": ""}]
    instructor = {
        "姓名": "周指导",
        "类型": "党建工作指导员",
        "联系电话": "13900139000",
        "选派单位": "测试行业党委",
        "选派通知文号": "测党〔2024〕3号",
        "通知日期": "2024-02-20",
        "派驻单位统一社会信用代码": b,
        "派驻开始日期": "2024-03-01",
    }
    party_orgs = [
        {"党组织名称": "测试行业党委", "党组织类别": "党委", "成立日期": "2018-01-01"},
        {
            "党组织名称": "测试联合党支部",
            "党组织类别": "联合党支部",
            "上级党组织": "测试行业党委",
            "成立日期": "2023-01-01",
            "覆盖单位统一社会信用代码": b,
            "覆盖方式": "联合党组织覆盖",
        },
    ]
    applicant = {
        "党支部": "测试甲协会党支部",
        "姓名": "王五",
        "公民身份号码": make_id(501, datetime.date(2000, 1, 1)),
    }
    return {
        "members": Sample(
            [_member(world), {**_member(world, 22, "李四"), "性别": "女", "转正日期": ""}]
        ),
        "organizations": Sample(
            [
                {
                    "单位名称": "测试丙学会",
                    "统一社会信用代码": make_uscc(3),
                    "法人类型": "社会团体",
                    "单位类别": "学会",
                    "所在区": "和平区",
                    "成立日期": "2019-06-28",
                    "会员类别": "理事单位",
                    "入会日期": "2021-01-01",
                },
                {
                    "单位名称": "测试甲协会",
                    "统一社会信用代码": a,
                    "法人类型": "社会团体",
                    "单位类别": "协会",
                    "所在区": "南开区",
                },
            ]
        ),
        "memberships": Sample(
            [
                {
                    "单位名称": "测试乙商会",
                    "统一社会信用代码": b,
                    "会员类别": "理事单位",
                    "入会日期": "2020-01-01",
                    "退会日期": "2025-12-31",
                }
            ]
        ),
        "party_organizations": Sample(
            [
                {
                    "党组织名称": "测试乙商会原党支部",
                    "党组织类别": "党支部",
                    "上级党组织": "测试行业党委",
                    "成立日期": "2019-03-01",
                    "覆盖单位统一社会信用代码": b,
                    "覆盖方式": "单独组建",
                    "撤销日期": "2022-05-31",
                },
                {
                    "党组织名称": "测试行业党委",
                    "党组织类别": "党委",
                    "成立日期": "2018-01-01",
                    "批复文号": "测党〔2018〕1号",
                },
                {
                    "党组织名称": "测试联合党支部",
                    "党组织类别": "联合党支部",
                    "上级党组织": "测试行业党委",
                    "成立日期": "2023-01-01",
                    "覆盖单位统一社会信用代码": b,
                    "覆盖方式": "联合党组织覆盖",
                },
            ]
        ),
        "positions": Sample(
            [
                {
                    "党组织名称": "测试甲协会党支部",
                    "姓名": "张三",
                    "公民身份号码": make_id(11),
                    "职务": "书记",
                    "任职日期": "2021-01-01",
                },
                {
                    "党组织名称": "测试甲协会党支部",
                    "姓名": "李四",
                    "公民身份号码": make_id(22),
                    "职务": "委员",
                    "任职日期": "2021-01-01",
                    "离任日期": "2023-12-31",
                },
            ],
            [
                (
                    "members",
                    [_member(world), {**_member(world, 22, "李四"), "性别": "女", "转正日期": ""}],
                )
            ],
        ),
        "instructors": Sample([instructor]),
        "meetings": Sample(meetings),
        "federations": Sample(
            [
                {
                    "联合会名称": "测试网络社会组织联合会",
                    "简称": "测网联",
                    "层级": "市级",
                    "统一社会信用代码": make_uscc(90),
                    "成立日期": "2019-05-01",
                },
                {
                    "联合会名称": "测试区网络社会组织联合会",
                    "简称": "测区网联",
                    "层级": "区县级",
                    "上级联合会": "测试网络社会组织联合会",
                    "地区": "和平区",
                    "成立日期": "2021-03-01",
                },
            ]
        ),
        "charter_revisions": Sample(
            [
                {
                    "单位名称": "测试甲协会",
                    "统一社会信用代码": a,
                    "章程通过日期": "2018-05-01",
                    "是否写入党建工作内容": "否",
                },
                {
                    "单位名称": "测试甲协会",
                    "统一社会信用代码": a,
                    "章程通过日期": "2022-06-30",
                    "是否写入党建工作内容": "是",
                    "备注": "第二届会员大会修订",
                },
            ]
        ),
        "major_decisions": Sample(
            [
                {
                    "统一社会信用代码": a,
                    "决策日期": "2024-03-15",
                    "决策机构": "理事会",
                    "决策事项": "审议年度预算",
                    "党组织是否参与": "是",
                },
                {
                    "统一社会信用代码": b,
                    "决策日期": "2024-06-01",
                    "决策机构": "会员大会",
                    "决策事项": "换届选举",
                    "党组织是否参与": "否",
                },
            ]
        ),
        "annual_inspections": Sample(
            [
                {
                    "统一社会信用代码": a,
                    "年度": 2023,
                    "报送业务主管单位日期": "2024-03-20",
                    "报送登记管理机关日期": "2024-05-20",
                    "检查结论": "合格",
                    "检查意见": "按时报送。",
                },
                {"统一社会信用代码": b, "年度": 2023},
            ]
        ),
        "elections": Sample(
            [
                {"党组织名称": "测试甲协会党支部", "选举日期": "2020-06-01", "任期（年）": 3},
                {
                    "党组织名称": "测试甲协会党支部",
                    "选举日期": "2023-06-01",
                    "选举类型": "换届",
                    "延期批准日期": "2026-05-10",
                    "延期批准机关": "中共测试市社会组织综合委员会",
                    "延期至": "2027-06-01",
                },
            ]
        ),
        "visits": Sample(
            [
                {
                    "统一社会信用代码": b,
                    "走访日期": "2024-05-10",
                    "走访人员": "周指导、王干事",
                    "党建工作指导员": "周指导",
                    "走访情况": "党支部按期召开支部党员大会。",
                },
                {
                    "统一社会信用代码": a,
                    "走访日期": "2024-06-01",
                    "走访人员": "王干事",
                    "走访情况": "登记住所无人办公。",
                    "登记住所无法联系": "是",
                    "后续跟进": "约谈秘书长。",
                },
            ],
            [("instructors", [instructor])],
        ),
        "attendance": Sample(
            [
                {
                    "党组织名称": "测试甲协会党支部",
                    "会议类型": "支部党员大会",
                    "召开日期": "2024-03-05",
                    "姓名": "张三",
                    "公民身份号码": make_id(11),
                    "出席情况": "出席",
                },
                {
                    "党组织名称": "测试甲协会党支部",
                    "会议类型": "支部党员大会",
                    "召开日期": "2024-03-05",
                    "姓名": "李四",
                    "公民身份号码": make_id(22),
                    "出席情况": "缺席",
                    "缺席原因": "病假",
                },
            ],
            [("members", members), ("meetings", meetings)],
        ),
        "dues": Sample(
            [
                {
                    "姓名": "张三",
                    "公民身份号码": make_id(11),
                    "月份": "2024-03",
                    "实交金额（元）": "40",
                    "交纳日期": "2024-03-10",
                    "交纳方式": "现金",
                },
                {
                    "姓名": "张三",
                    "公民身份号码": make_id(11),
                    "月份": "2024-04",
                    "实交金额（元）": "40.00",
                    "交纳日期": "2024-04-09",
                },
            ],
            [("members", members)],
            setup=_relation_and_base,
        ),
        "recruitment": Sample(
            [
                {**applicant, "发展步骤": "递交入党申请书", "日期": "2024-03-01"},
                {
                    **applicant,
                    "发展步骤": "党组织派人谈话",
                    "日期": "2024-03-15",
                    "经办人或机构": "张三",
                    "材料及备注": "谈话记录",
                },
                {
                    **applicant,
                    "发展步骤": "推荐和确定入党积极分子",
                    "日期": "2024-09-01",
                    "确定机构": "支部委员会",
                    "推荐方式": "党员推荐",
                },
            ]
        ),
        "transfers": Sample(
            [
                {
                    "姓名": "张三",
                    "公民身份号码": make_id(11),
                    "转接类型": "系统内转接",
                    "转出党组织": "测试甲协会党支部",
                    "转入党组织": "测试联合党支部",
                    "开具日期": "2024-04-20",
                    "介绍信编号": "测网联组〔2024〕3号",
                    "接收日期": "2024-05-06",
                },
                {
                    "姓名": "李四",
                    "公民身份号码": make_id(22),
                    "转接类型": "转出系统外",
                    "转出党组织": "测试甲协会党支部",
                    "转入党组织": "中共某区某街道工作委员会",
                    "开具日期": "2024-06-01",
                    "接收日期": "2024-06-10",
                    "回执日期": "2024-06-20",
                },
            ],
            [("members", members), ("party_organizations", party_orgs)],
            setup=_relation,
        ),
        "flowing": Sample(
            [
                {
                    "姓名": "张三",
                    "公民身份号码": make_id(11),
                    "流动党员活动证编号": "LD2024001",
                    "外出地点": "广东省深圳市",
                    "流入地党组织": "中共深圳市某街道工作委员会",
                    "外出日期": "2024-07-01",
                    "返回日期": "2025-01-10",
                },
                {
                    "姓名": "李四",
                    "公民身份号码": make_id(22),
                    "外出地点": "上海市",
                    "外出日期": "2025-02-01",
                },
            ],
            [("members", members)],
        ),
    }


def write_rows(path: Path, rows: list[dict]) -> Path:
    """A plain workbook: the headers of the rows (in first-seen order), then the values."""
    headers = list(dict.fromkeys(h for row in rows for h in row))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h, None) for h in headers])
    for column in ws.iter_cols(min_row=1, max_row=ws.max_row):
        for cell in column:
            cell.number_format = "@"
    wb.save(path)
    return path


def load_prerequisites(world, tmp_path: Path, sample: Sample) -> None:
    for n, (ledger, rows) in enumerate(sample.prerequisites):
        item = commit(world, upload(world, write_rows(tmp_path / f"pre-{n}.xlsx", rows), ledger))
        assert item.status == item.Status.COMMITTED, (ledger, item.message, item.preview)
    if sample.setup is not None:
        sample.setup(world)
