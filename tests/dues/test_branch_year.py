"""Branch and higher levels: a hand-in must match the branch's payments, the organization above
receives it, and a year's publication computed by hand for a small branch."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from dangjian.core.errors import Conflict
from dangjian.dues import queries, register, services
from dangjian.dues.models import Category, HandIn

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def pay(branch, member, months, amount_fen, on):
    return services.record_payment(
        member,
        months=months,
        amount_fen=amount_fen,
        paid_on=on,
        method="cash",
        actor=branch.secretary,
        today=on,
    )


def small_branch(branch):
    """Three members, by hand:
    甲 employed, 3000.00 元 → 15.00 a month; pays every month on the 10th.
    乙 employed, 5000.01 元 → 75.00 a month (1.5 % of the whole base); pays Jan–Mar together on
       5 January (225.00), then nothing.
    丙 student → 0.20 a month; joined 15 July (a probationary member: due from July); pays July."""
    a, b = branch.member("甲"), branch.member("乙")
    c = branch.member("丙", joined=D(2026, 7, 15), full=False)
    branch.declare(a, 3000.00)
    branch.declare(b, 5000.01)
    branch.declare(c, category=Category.STUDENT, from_month=D(2026, 7, 1))
    branch.assess()
    pay(branch, b, [D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1)], 22500, D(2026, 1, 5))
    for month in queries.months_between(D(2026, 1, 1), D(2026, 12, 1)):
        pay(branch, a, [month], 1500, month.replace(day=10))
    pay(branch, c, [D(2026, 7, 1)], 20, D(2026, 7, 20))
    return a, b, c


def test_a_hand_in_that_does_not_match_the_payments_is_refused(branch):
    small_branch(branch)
    # January: 甲 15.00 + 乙's quarter 225.00 = 240.00 collected.
    with pytest.raises(ValidationError) as caught:
        services.hand_in(
            branch.po,
            period="month",
            first_month=D(2026, 1, 1),
            amount_fen=1500,
            handed_on=D(2026, 2, 3),
            actor=branch.secretary,
            today=D(2026, 2, 3),
        )
    assert (
        "上缴金额（15.00 元）与本党组织 2026-01-01 至 2026-01-31 记录的收缴党费（240.00 元）不符"
        in caught.value.messages[0]
    )
    assert not HandIn.objects.filter(party_organization=branch.po).exists()
    handed = services.hand_in(
        branch.po,
        period="month",
        first_month=D(2026, 1, 1),
        amount_fen=24000,
        handed_on=D(2026, 2, 3),
        actor=branch.secretary,
        today=D(2026, 2, 3),
    )
    assert "2026年1月收缴党费 240.00 元（2 名党员、4 笔）" in handed.statement
    with pytest.raises(Conflict, match="已于 2026-02-03 上缴"):
        services.hand_in(
            branch.po,
            period="month",
            first_month=D(2026, 1, 1),
            amount_fen=24000,
            handed_on=D(2026, 2, 4),
            actor=branch.secretary,
            today=D(2026, 2, 4),
        )


def test_a_quarter_is_handed_in_after_it_ends_and_received_above(branch):
    small_branch(branch)
    with pytest.raises(ValidationError, match="期间结束后才能上缴"):
        services.hand_in(
            branch.po,
            period="quarter",
            first_month=D(2026, 8, 1),
            amount_fen=0,
            handed_on=D(2026, 9, 1),
            actor=branch.secretary,
            today=D(2026, 9, 1),
        )
    # Q3 (any of its months): 甲 3 × 15.00 + 丙 0.20 = 45.20.
    handed = services.hand_in(
        branch.po,
        period="quarter",
        first_month=D(2026, 8, 1),
        amount_fen=4520,
        handed_on=D(2026, 10, 8),
        actor=branch.secretary,
        today=D(2026, 10, 8),
    )
    assert (handed.first_month, handed.last_month) == (D(2026, 7, 1), D(2026, 9, 1))
    assert handed.months_label == "2026年第三季度"
    services.receive_hand_in(
        handed, received_on=D(2026, 10, 9), actor=branch.officer, today=D(2026, 10, 9)
    )
    with pytest.raises(Conflict, match="已于 2026-10-09 签收"):
        services.receive_hand_in(
            handed, received_on=D(2026, 10, 9), actor=branch.officer, today=D(2026, 10, 9)
        )


def test_the_year_published_computed_by_hand(branch):
    a, b, c = small_branch(branch)
    services.hand_in(
        branch.po,
        period="month",
        first_month=D(2026, 1, 1),
        amount_fen=24000,
        handed_on=D(2026, 2, 3),
        actor=branch.secretary,
        today=D(2026, 2, 3),
    )
    publication = services.publish_year(
        branch.po, 2026, published_on=D(2027, 1, 10), actor=branch.secretary, today=D(2027, 1, 10)
    )
    f = publication.figures
    by_name = {r["name"]: r for r in f["rows"]}
    # 甲: 12 × 15.00 = 180.00 due and paid.
    assert (by_name["甲"]["due_fen"], by_name["甲"]["paid_fen"]) == (18000, 18000)
    # 乙: 12 × 75.00 = 900.00 due, 225.00 paid, April–December unpaid.
    assert (by_name["乙"]["due_fen"], by_name["乙"]["paid_fen"]) == (90000, 22500)
    assert (
        by_name["乙"]["unpaid_months"][0] == "2026年4月"
        and len(by_name["乙"]["unpaid_months"]) == 9
    )
    assert by_name["乙"]["rate"] == "1.5%"
    # 丙: July–December, 6 × 0.20 = 1.20 due, 0.20 paid.
    assert (by_name["丙"]["due_fen"], by_name["丙"]["paid_fen"]) == (120, 20)
    assert sorted(by_name["丙"]["months"], key=int) == ["7", "8", "9", "10", "11", "12"]
    assert f["totals"] == {
        "members": 3,
        "due_fen": 18000 + 90000 + 120,  # 1081.20
        "paid_fen": 18000 + 22500 + 20,  # 405.20
        "unpaid_fen": 67500 + 100,  # 676.00
        "handed_in_fen": 24000,
        "received_fen": 0,
    }
    # The register: the same figures, cells in exact 元, the total row last.
    rows = register.rows(f)
    [row_b] = [r for r in rows if r[1] == "乙"]
    assert row_b[2:6] == ["在职、年薪制或个体经营", Decimal("5000.01"), "1.5%", Decimal("75")]
    assert row_b[6:18] == [Decimal("75")] * 3 + [None] * 9  # January–December paid
    assert row_b[18:] == [
        Decimal("900"),
        Decimal("225"),
        Decimal("675"),
        "、".join(f"2026年{m}月" for m in range(4, 13)),
    ]
    total = rows[-1]
    assert total[0] == "合计" and total[-4:-1] == [
        Decimal("1081.2"),
        Decimal("405.2"),
        Decimal("676"),
    ]
    # A payment after the publication does not change what was published.
    pay(branch, b, [D(2026, 12, 1)], 7500, D(2027, 1, 12))
    publication.refresh_from_db()
    assert publication.figures["totals"]["paid_fen"] == 40520


def test_publishing_needs_the_year_set(branch):
    with pytest.raises(ValidationError, match="尚未核定党费"):
        services.publish_year(branch.po, 2026, actor=branch.secretary, today=D(2026, 12, 31))


def test_figures_for_the_dashboard_as_of_any_day(branch):
    from dangjian.party.models import PartyOrganization

    small_branch(branch)
    services.hand_in(
        branch.po,
        period="month",
        first_month=D(2026, 1, 1),
        amount_fen=24000,
        handed_on=D(2026, 2, 3),
        actor=branch.secretary,
        today=D(2026, 2, 3),
    )
    scope = PartyOrganization.objects.filter(federation=branch.fed)
    f = queries.figures(scope, D(2026, 1, 1), D(2026, 12, 1), D(2026, 10, 1))
    by_month = {m.month.month: m for m in f.months if m.party_organization_id == branch.po.pk}
    # January: 甲 15.00 + 乙 75.00 due, both paid; handed in (not yet received).
    assert (by_month[1].members_due, by_month[1].due_fen) == (2, 9000)
    assert (by_month[1].members_paid, by_month[1].paid_fen) == (2, 9000)
    assert by_month[1].hand_in == "handed" and by_month[2].hand_in == "none"
    # July: 甲, 乙 and 丙 (0.20) due; 甲 and 丙 paid.
    assert (by_month[7].members_due, by_month[7].due_fen) == (3, 9020)
    assert (by_month[7].members_paid, by_month[7].paid_fen) == (2, 1520)
    # 甲 pays each month on the 10th: as of 1 October, October is not yet paid.
    assert by_month[10].members_paid == 0
    # 乙 left April–September unpaid (six ended months on 1 October): one member in arrears.
    assert f.arrears == {branch.po.pk: 1}
    assert queries.figures(scope, D(2026, 1, 1), D(2026, 12, 1), D(2026, 9, 30)).arrears == {}
    totals = f.totals()
    assert totals[D(2026, 1, 1)].due_fen == 9000
    # As of a day before the payments: nothing paid yet, the hand-in not yet made.
    early = queries.figures(scope, D(2026, 1, 1), D(2026, 1, 1), D(2026, 1, 4))
    [jan] = [m for m in early.months if m.party_organization_id == branch.po.pk]
    assert (jan.paid_fen, jan.hand_in) == (0, "none")
