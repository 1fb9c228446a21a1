"""A federation moves its history in through the ledger pages only — its own data and the
federation below it, units, party organizations (one dissolved in the same row that forms it),
charter revisions, major decisions, an instructor, annual inspections and visits — and the
rules, evaluated as of several days, find what a person computes by hand from DOMAIN.md.

By hand (units: 甲 乙 丙 戊 in the federation from 2019-01-01, 丁 in the district one from
2020-01-01; 甲党支部 covers 甲 from 2019-06-01; 乙党支部 covers 乙 from 2019-06-01 and was
dissolved on 2024-12-31; the joint branch covers 丙 and 丁 from 2020-03-01; 戊 has an
instructor from 2022-01-01):

* coverage on 2023-06-30: 5 units, 4 covered by a party organization (甲 乙 丙 丁), 2 by their
  own (甲 乙), 5 with party work (戊 by its instructor); on 2024-12-31 the same; on 2025-01-01
  乙 is no longer covered: 4 / 3 / 1 / 4.
* charter in force without the party-building clause: on 2022-06-30 甲 (2019 charter), 丙, 戊;
  from 2023-01-15 (甲's revised charter) 丙 and 戊; 丁 has no charter on record, 乙's has it.
* major decisions without the party organization, by a unit covered on the day, in the year:
  2023 — 甲 (年度预算; 章程修订 was with it), 乙, 丙; 丁's was with it; 戊's does not count
  (never covered). This year — 甲 only: 乙's decision is after its branch was dissolved, 丙's
  and 丁's were with the party organization.
"""

import datetime
import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from dangjian.access.models import UserSecurity
from dangjian.access.services import grant_role
from dangjian.governance.models import CharterRevision, MajorDecision
from dangjian.inspections.models import AnnualInspection, Visit
from dangjian.ledgers.models import LedgerUpload
from dangjian.party.models import Coverage
from dangjian.registry import services as registry_services
from dangjian.registry.models import Federation, Organization
from dangjian.rules import coverage
from dangjian.rules.engine import Engine

from .conftest import make_uscc

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
NEW_YEAR = datetime.date(TODAY.year, 1, 1)  # a decision "this year" that is never in the future
ROOT = "测试历史网络社会组织联合会"
DISTRICT = "测试历史区网络社会组织联合会"
UNITS = {  # short name: (full name, credit code, legal form, category)
    "甲": ("测试历史甲协会", make_uscc(501), "社会团体", "协会"),
    "乙": ("测试历史乙商会", make_uscc(502), "社会团体", "商会"),
    "丙": ("测试历史丙研究院", make_uscc(503), "民办非企业单位", "研究院所"),
    "丁": ("测试历史丁学会", make_uscc(504), "社会团体", "学会"),
    "戊": ("测试历史戊协会", make_uscc(505), "社会团体", "协会"),
}


def code(short):
    return UNITS[short][1]


@pytest.fixture
def officer(db, settings, tmp_path):
    """What the system administrator sets up: the federation's name and an officer's account
    (everything else comes in through the ledgers)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    registry_services.create_federation({"name": ROOT, "level": "provincial"}, actor=None)
    user = get_user_model().objects.create_user("history-officer", password="x-Secret-12345")
    UserSecurity.objects.update_or_create(user=user, defaults={"must_change_password": False})
    grant_role(
        user,
        "federation_officer",
        actor=None,
        valid_from=datetime.date(2018, 1, 1),
        federation=Federation.objects.get(name=ROOT),
    )
    client = Client()
    client.force_login(user)
    return client


def through_the_page(client, ledger: str, rows: list[dict], federation: str = ROOT):
    """Upload a workbook of ``rows`` ({header: value}) on the ledger page and import it."""
    headers = list(dict.fromkeys(h for row in rows for h in row))
    wb = openpyxl.Workbook()
    wb.active.append(headers)
    for row in rows:
        wb.active.append([row.get(h) for h in headers])
    file = io.BytesIO()
    wb.save(file)
    file.seek(0)
    file.name = f"{ledger}.xlsx"
    fed = Federation.objects.get(name=federation)
    client.post(reverse("ledgers:upload"), {"ledger": ledger, "federation": fed.pk, "file": file})
    item = LedgerUpload.objects.filter(ledger=ledger, federation=fed).latest("pk")
    assert item.counts.get("invalid") == 0, item.preview.get("errors") or item.message
    client.post(reverse("ledgers:commit", args=[item.pk]))
    item.refresh_from_db()
    assert item.status == LedgerUpload.Status.COMMITTED, item.message
    return item


def unit_row(short, joined):
    name, uscc, form, category = UNITS[short]
    return {
        "单位名称": name,
        "统一社会信用代码": uscc,
        "法人类型": form,
        "单位类别": category,
        "成立日期": "2017-03-01",
        "入会日期": joined,
    }


def load_history(client):
    through_the_page(
        client,
        "federations",
        [
            {
                "联合会名称": ROOT,
                "简称": "测历网联",
                "层级": "省级",
                "统一社会信用代码": make_uscc(500),
                "成立日期": "2018-06-01",
                "发文代字": "测历网联",
            },
            {"联合会名称": DISTRICT, "层级": "市级", "上级联合会": ROOT, "成立日期": "2019-09-01"},
        ],
    )
    through_the_page(
        client,
        "organizations",
        [unit_row(s, "2019-01-01") for s in ("甲", "乙", "丙", "戊")],
    )
    through_the_page(client, "organizations", [unit_row("丁", "2020-01-01")], DISTRICT)
    through_the_page(
        client,
        "party_organizations",
        [
            {
                "党组织名称": "测试历史甲协会党支部",
                "党组织类别": "党支部",
                "成立日期": "2019-06-01",
                "覆盖单位统一社会信用代码": code("甲"),
            },
            {
                "党组织名称": "测试历史乙商会党支部",
                "党组织类别": "党支部",
                "成立日期": "2019-06-01",
                "覆盖单位统一社会信用代码": code("乙"),
                "撤销日期": "2024-12-31",
            },
            {
                "党组织名称": "测试历史联合党支部",
                "党组织类别": "联合党支部",
                "成立日期": "2020-03-01",
                "覆盖单位统一社会信用代码": f"{code('丙')}、{code('丁')}",
                "覆盖方式": "联合党组织覆盖",
            },
        ],
    )
    through_the_page(
        client,
        "charter_revisions",
        [
            {
                "统一社会信用代码": code("甲"),
                "章程通过日期": "2019-01-10",
                "是否写入党建工作内容": "否",
            },
            {
                "统一社会信用代码": code("甲"),
                "章程通过日期": "2023-01-15",
                "是否写入党建工作内容": "是",
            },
            {
                "统一社会信用代码": code("乙"),
                "章程通过日期": "2019-01-10",
                "是否写入党建工作内容": "是",
            },
            {
                "统一社会信用代码": code("丙"),
                "章程通过日期": "2020-05-01",
                "是否写入党建工作内容": "否",
            },
            {
                "统一社会信用代码": code("戊"),
                "章程通过日期": "2019-03-01",
                "是否写入党建工作内容": "否",
            },
        ],
    )

    def decision(short, day, subject, party):
        return {
            "统一社会信用代码": code(short),
            "决策日期": day,
            "决策机构": "理事会",
            "决策事项": subject,
            "党组织是否参与": party,
        }

    through_the_page(
        client,
        "major_decisions",
        [
            decision("甲", "2023-03-01", "年度预算", "否"),
            decision("甲", "2023-04-01", "章程修订", "是"),
            decision("乙", "2023-05-10", "换届", "否"),
            decision("丙", "2023-02-01", "购置资产", "否"),
            decision("丁", "2023-06-01", "年度计划", "是"),
            decision("戊", "2023-06-01", "年度计划", "否"),
            decision("甲", NEW_YEAR, "本年预算", "否"),
            decision("乙", NEW_YEAR, "本年预算", "否"),
            decision("丙", NEW_YEAR, "本年预算", "是"),
            decision("丁", NEW_YEAR, "本年预算", "是"),
        ],
    )
    through_the_page(
        client,
        "instructors",
        [
            {
                "姓名": "测试周指导",
                "选派单位": ROOT,
                "派驻单位统一社会信用代码": code("戊"),
                "派驻开始日期": "2022-01-01",
            }
        ],
    )
    through_the_page(
        client,
        "annual_inspections",
        [
            {
                "统一社会信用代码": code("甲"),
                "年度": 2022,
                "报送登记管理机关日期": "2023-05-01",
                "检查结论": "合格",
            },
            {"统一社会信用代码": code("乙"), "年度": 2022},
        ],
    )
    through_the_page(
        client,
        "visits",
        [
            {
                "统一社会信用代码": code("戊"),
                "走访日期": "2023-03-01",
                "走访人员": "测试周指导",
                "党建工作指导员": "测试周指导",
                "走访情况": "尚未建立党组织，指导员每月联系。",
            },
            {
                "统一社会信用代码": code("甲"),
                "走访日期": "2023-05-01",
                "走访人员": "王干事",
                "走访情况": "正常。",
            },
        ],
    )


def flagged(rule_id: str, day: datetime.date, *, silent: bool = False) -> set[str]:
    """The units the rule flags on the day; ``silent``: only those flagged at the lower
    severity for a covered year with no decision recorded with the party (issue 17, point 4),
    otherwise only the others."""
    root = Federation.objects.get(name=ROOT)
    [candidates] = Engine(root, day, rule_ids=[rule_id]).evaluate().values()
    names = dict(Organization.objects.values_list("pk", "name"))
    short = {full: s for s, (full, *_rest) in UNITS.items()}
    return {short[names[c.organization_id]] for c in candidates if (c.severity == "info") == silent}


def test_a_federation_history_loaded_through_the_ledgers(officer):
    load_history(officer)
    root = Federation.objects.get(name=ROOT)
    district = Federation.objects.get(name=DISTRICT)
    assert district.parent == root and root.level == "provincial" and district.level == "city"
    units = Organization.objects.filter(name__startswith="测试历史")
    assert units.count() == 5
    assert Organization.objects.members_of(district, datetime.date(2020, 1, 1)).count() == 1
    assert CharterRevision.objects.filter(organization__in=units).count() == 5
    assert MajorDecision.objects.filter(organization__in=units).count() == 10
    assert AnnualInspection.objects.filter(organization__in=units).count() == 2
    assert Visit.objects.filter(organization__in=units).count() == 2
    dissolved = Coverage.objects.get(party_organization__name="测试历史乙商会党支部")
    assert (dissolved.valid_from, dissolved.valid_to) == (
        datetime.date(2019, 6, 1),
        datetime.date(2024, 12, 31),
    )

    scope = coverage.Scope(root)
    figures = {
        day: coverage.compute(scope, datetime.date.fromisoformat(day))
        for day in ("2023-06-30", "2024-12-31", "2025-01-01")
    }
    assert [(r.total, r.organizational, r.single, r.work) for r in figures.values()] == [
        (5, 4, 2, 5),
        (5, 4, 2, 5),
        (5, 3, 1, 4),
    ]
    assert figures["2025-01-01"].organizational_rate == 60.0

    charter = "governance.charter_lacks_clause"
    assert flagged(charter, datetime.date(2022, 6, 30)) == {"甲", "丙", "戊"}
    assert flagged(charter, datetime.date(2023, 1, 14)) == {"甲", "丙", "戊"}
    assert flagged(charter, datetime.date(2023, 1, 15)) == {"丙", "戊"}
    assert flagged(charter, TODAY) == {"丙", "戊"}

    decisions = "governance.no_party_in_decisions"
    assert flagged(decisions, datetime.date(2023, 6, 30)) == {"甲", "乙", "丙"}
    # 丁 was covered by the joint branch all of 2022 and recorded no decision that year.
    assert "丁" in flagged(decisions, datetime.date(2023, 6, 30), silent=True)
    assert flagged(decisions, datetime.date(2023, 2, 28)) == {"丙"}
    assert flagged(decisions, TODAY) == {"甲"}
