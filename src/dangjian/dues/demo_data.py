"""The dues part of the demo: a year of dues for the secretary persona's branch
(天津市互联网金融协会党支部), through the dues services.

Every member declares a category and base (bases on both sides of the 3000 元 boundary, a
retiree, a student), last year and this one up to this month are set, members pay
month by month (one pays a quarter ahead, one missed two months), the branch has handed in
every ended month but the last (left for the secretary to hand in) and the federation received
all but the latest of those. One member has left the last six
ended months unpaid with no good reason — the arrears rule finds them and the worklist lists the
months — and was reminded once. Last year is published; this year is left for the secretary to
publish. One exemption waits for the federation's approval.
"""

from __future__ import annotations

import datetime

from django.db.models import Sum

from dangjian.dues import queries, services
from dangjian.dues.models import Category, DuesMonth, DuesPayment
from dangjian.party.models import PartyMember, PartyOrganization
from dangjian.party.queries import member_in_ledger_q
from dangjian.rulebook.periods import add_months

BRANCH = "天津市互联网金融协会党支部"
# (category, monthly base in fen or a fixed amount) for the first members, then bases at random.
DECLARED = [
    (Category.EMPLOYED, 300000),  # 3000.00 元: 0.5 % → 15.00
    (Category.EMPLOYED, 300001),  # 3000.01 元: 1 % of the whole base → 30.00
    (Category.EMPLOYED, 680000),
    (Category.RETIRED, 520000),
    (Category.STUDENT, None),
    (Category.EMPLOYED, 1200000),
]
METHODS = [DuesPayment.Method.CASH, DuesPayment.Method.TRANSFER, DuesPayment.Method.ONLINE]


def build(federation, today, rng):
    branch = PartyOrganization.objects.filter(federation=federation, name=BRANCH).first()
    if branch is None:
        return
    members = list(
        PartyMember.objects.filter(
            member_in_ledger_q(today),
            relation_party_organization=branch,
            anonymised_at__isnull=True,
        ).order_by("joined_party_on", "pk")
    )
    if len(members) < 3:
        return
    this_month = queries.month_start(today)
    first = datetime.date(today.year - 1, 1, 1)
    months = queries.months_between(first, this_month)
    for i, member in enumerate(members):
        category, amount = (
            DECLARED[i]
            if i < len(DECLARED)
            else (
                Category.EMPLOYED,
                rng.randrange(2500, 16000) * 100,
            )
        )
        services.declare_base(
            member,
            from_month=max(first, queries.first_due_month(member)),
            category=category,
            base_fen=amount,
            declared_on=max(first, member.joined_party_on),
            actor=None,
            today=today,
        )
    services.assess(PartyOrganization.objects.filter(pk=branch.pk), months, actor=None, today=first)
    # The member in arrears: not the first ones (their bases show the boundaries), the last.
    in_arrears, ahead, missed = members[-1], members[1], members[2]
    last_ended = queries.last_ended_month(today)
    arrears_months = set(queries.months_between(add_months(last_ended, -5), last_ended))
    missed_months = {add_months(last_ended, -3), add_months(last_ended, -2)}
    paid_ahead: set[datetime.date] = set()
    for month in months:
        for member in members:
            if month < queries.first_due_month(member) or (member is ahead and month in paid_ahead):
                continue
            if member is in_arrears and (month in arrears_months or month == this_month):
                continue
            if member is missed and month in missed_months:
                continue
            day = month.replace(day=rng.randrange(3, 21))
            if day > today:
                continue
            cover = [month]
            if member is ahead and month == add_months(this_month, -6):
                cover = queries.months_between(month, add_months(month, 2))  # a quarter at once
                paid_ahead.update(cover[1:])
            due = DuesMonth.objects.filter(member=member, month__in=cover).aggregate(
                total=Sum("due_fen")
            )["total"]
            services.record_payment(
                member,
                months=cover,
                amount_fen=due or 0,
                paid_on=day,
                method=rng.choice(METHODS),
                actor=None,
                today=today,
            )
    # Every ended month but the last is handed in (the last one is the newcomer's to do, whatever
    # the day of the month), and the federation received all but the latest of those.
    for month in months[:-2]:
        handed_on = add_months(month, 1).replace(day=5)
        if handed_on > today:
            continue
        collected = queries.collected_fen(branch, month, queries.month_end(month))
        if not collected:
            continue
        hand_in = services.hand_in(
            branch,
            period="month",
            first_month=month,
            amount_fen=collected,
            handed_on=handed_on,
            actor=None,
            today=today,
        )
        received_on = handed_on + datetime.timedelta(days=5)
        if month != months[-3] and received_on <= today:
            services.receive_hand_in(
                hand_in, received_on=received_on, note="联合会党委已收", actor=None, today=today
            )
    services.record_arrears_step(
        in_arrears,
        kind="reminder",
        taken_on=max(today - datetime.timedelta(days=20), in_arrears.joined_party_on),
        note="党小组长电话提醒按月交纳党费，本人表示近期工作繁忙。",
        actor=None,
        today=today,
    )
    services.record_relief(
        members[0],
        kind="exempt",
        first_month=add_months(this_month, 1),
        last_month=add_months(this_month, 3),
        reason="家庭遭受重大变故，生活困难，经支部委员会研究同意免交三个月党费。",
        decided_on=today,
        actor=None,
        today=today,
    )
    published_on = datetime.date(today.year, 1, 15)
    if published_on <= today:
        services.publish_year(
            branch, today.year - 1, published_on=published_on, actor=None, today=today
        )
