"""One filled-in sample of every ledger kind, for the tests that run each kind the same way
(re-import, template round-trip). Rows are {header: value}, so a test can write them in its own
column order or into the downloaded template.

``prerequisites`` are the ledgers a kind refers to (a position needs its member, a visit its
unit), imported first; the world fixture (conftest) already holds two units and one branch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

from .conftest import make_id, make_uscc
from .helpers import commit, upload


@dataclass
class Sample:
    rows: list[dict]
    prerequisites: list[tuple[str, list[dict]]] = field(default_factory=list)


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
        "instructors": Sample(
            [
                {
                    "姓名": "周指导",
                    "类型": "党建工作指导员",
                    "联系电话": "13900139000",
                    "选派单位": "测试行业党委",
                    "选派通知文号": "测党〔2024〕3号",
                    "通知日期": "2024-02-20",
                    "派驻单位统一社会信用代码": b,
                    "派驻开始日期": "2024-03-01",
                }
            ]
        ),
        "meetings": Sample(
            [
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
