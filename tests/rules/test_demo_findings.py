"""The demo federation produces exactly its deliberate problems, explained with the numbers."""

import datetime

import pytest

from dangjian.demo.tianjin_data import PROBLEMS
from dangjian.registry.models import Federation
from dangjian.rules.asof import text_on
from dangjian.rules.engine import Engine
from dangjian.rules.models import Finding

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def _subject(c):
    from dangjian.party.models import PartyOrganization
    from dangjian.registry.models import Organization

    if c.party_organization_id:
        return PartyOrganization.objects.get(pk=c.party_organization_id).name
    return Organization.objects.get(pk=c.organization_id).name


def test_demo_produces_exactly_the_problems(demo_federation):
    found = Engine(demo_federation, TODAY).evaluate()
    got = {(rule_id, _subject(c)) for rule_id, cands in found.items() for c in cands}
    assert got == set(PROBLEMS)


def test_findings_table_holds_exactly_the_problems(demo_federation):
    # The rules demo data ran the engine from the national root; a re-run changes nothing.
    results = Engine(Federation.objects.get(short_name="中网联"), TODAY).run()
    assert sum(r.created for r in results) == 0
    open_ = Finding.objects.open().select_related("organization", "party_organization")
    assert {(f.rule_id, f.subject_name) for f in open_} == set(PROBLEMS)


def test_explanations_carry_the_numbers(demo_federation):
    found = Engine(demo_federation, TODAY).evaluate()
    text = {
        (rule_id, _subject(c)): text_on(c.explanation, TODAY)
        for rule_id, cands in found.items()
        for c in cands
    }
    assert "正式党员 4 名" in text[("formation.required_not_formed", "天津市网络直播行业协会")]
    assert TODAY.isoformat() in text[("formation.required_not_formed", "天津市网络直播行业协会")]
    assert (
        "覆盖 6 个单位"
        in text[("formation.joint_branch_too_many_units", "网信领域社会组织第二联合党支部")]
    )
    assert "正式党员 8 名" in text[("formation.needs_committee", "天津市人工智能学会党支部")]
    overdue = text[("terms.overdue", "天津市软件行业协会党支部")]
    # Overdue from the term's end: an extension is never assumed (none was approved).
    assert "2020-06-18" in overdue and "2023-06-18" in overdue
    assert "没有经上级党组织批准的延期" in overdue and "2024-06-18" not in overdue
    vacant = text[("terms.secretary_vacant", "天津市物联网学会党支部")]
    assert "空缺 119 天" in vacant
    assert "主题党日" in text[("orglife.irregular", "天津市电子商务协会党支部")]
    assert "个月" in text[("shell.empty_branch", "天津市电子商务协会党支部")]
    assert "书记自" in text[("shell.empty_branch", "天津市物联网学会党支部")]
    assert "章程" in text[("governance.charter_lacks_clause", "天津市区块链协会")]
    assert "1 项重大决策" in text[("governance.no_party_in_decisions", "天津市信息化协会")]
    dormant = text[("dormancy.dormant_society", "天津市网络游戏行业协会")]
    assert "连续 2 年未报送" in dormant and "无法联系" in dormant
    assert "正式党员 4 名" in text[("credit.abnormal_list_proposal", "天津市网络直播行业协会")]
    assert "未报送" in text[("credit.abnormal_list_proposal", "天津市网络游戏行业协会")]
    copied = text[("integrity.minutes_copied", "天津市文化传媒商会党支部")]
    assert "天津市互联网协会党支部" in copied and "相似度达" in copied
    assert "两次会议" in text[("integrity.photo_reused", "天津市文化传媒商会党支部")]
    both = text[("integrity.impossible_attendance", "天津市互联网协会党支部")]
    assert "同一时间段在另一地点（滨海新区会员单位会议室）" in both
    early = text[("integrity.impossible_attendance", "天津市大数据协会党支部")]
    assert "不在会议签到时段（18:30—20:30）内" in early
    assert "已 45 天" in text[("integrity.late_record", "天津市网络安全协会党支部")]
