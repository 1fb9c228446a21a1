"""Transfers, flowing and lost-contact members in the demo (see demo/tianjin_data.PROBLEMS).

- 天津市软件行业协会党支部 issued a letter out of the system 140 days ago whose receipt never
  came back (the overdue-transfer rule finds it), and suspended a lost member's membership 25
  months ago without the removal review (the lost-contact rule proposes it);
- 天津市互联网协会党支部 issued a letter to 天津市电子商务协会党支部 ten days ago, awaiting
  acceptance: the newcomer accepts it and sees both branches' counts change that day;
- a member of the secretary's branch works away and takes part in 天津市互联网协会党支部's
  organizational life as a flowing member.
Every write goes through the services; people's decisions carry their dates.
"""

from __future__ import annotations

import datetime

from dangjian.demo.tianjin_data import SECRETARY_BRANCH
from dangjian.party import services as party_services
from dangjian.party.models import ContactRecord, PartyMember, PartyOrganization, StandingDecision
from dangjian.party.queries import held_in_q
from dangjian.rulebook.periods import add_months
from dangjian.transfers import services

DAY = datetime.timedelta(days=1)
SOFTWARE = "天津市软件行业协会党支部"
INTERNET = "天津市互联网协会党支部"
COMMERCE = "天津市电子商务协会党支部"


def _members(branch, today):
    return list(
        PartyMember.objects.filter(held_in_q(today, [branch]), left_on__isnull=True)
        .exclude(full_member_on__isnull=True)
        .order_by("pk")
    )


def build(federation, today: datetime.date, rng) -> None:
    branches = {
        p.name: p
        for p in PartyOrganization.objects.filter(
            federation=federation, name__in=[SOFTWARE, INTERNET, COMMERCE, SECRETARY_BRANCH]
        )
    }
    if len(branches) < 4:
        return
    software = _members(branches[SOFTWARE], today)
    if len(software) >= 2:
        services.issue_transfer(
            software[-1],
            to="北京市海淀区中关村街道党工委",
            issued_on=today - 140 * DAY,
            reason="工作调动",
            contact_note="联系人：王老师，电话：022-23456789",
            actor=None,
        )
        lost = software[-2]
        declared = add_months(today, -30)
        party_services.record_contact(
            lost,
            on=declared - 60 * DAY,
            method=ContactRecord.Method.PHONE,
            reached=True,
            note="最后一次联系上本人",
            actor=None,
        )
        party_services.record_standing_decision(
            lost,
            kind=StandingDecision.Kind.LOST_CONTACT,
            decided_on=declared,
            decided_by=SOFTWARE,
            actor=None,
        )
        party_services.record_contact(
            lost,
            on=declared + 20 * DAY,
            method=ContactRecord.Method.THROUGH_OTHERS,
            reached=False,
            note="经原单位、家属多方查找，未能联系上",
            actor=None,
        )
        party_services.record_standing_decision(
            lost,
            kind=StandingDecision.Kind.SUSPENDED,
            decided_on=add_months(today, -25),
            decided_by=f"{SOFTWARE}支部大会",
            reason="失去联系满6个月，经多方查找仍无音讯",
            actor=None,
        )
    internet = _members(branches[INTERNET], today)
    if internet:
        services.issue_transfer(
            internet[-1],
            to=branches[COMMERCE],
            issued_on=today - 10 * DAY,
            reason="工作单位变动",
            contact_note="联系人：李老师，电话：022-34567890",
            actor=None,
        )
    own = _members(branches[SECRETARY_BRANCH], today)
    if own:
        party_services.register_flowing(
            own[-1],
            since=today - 200 * DAY,
            whereabouts="天津市滨海新区（外派项目）",
            certificate_no="津流〔2026〕017",
            host=branches[INTERNET],
            actor=None,
        )
