"""The monthly ledger: the year's amounts set at its start, a change of pay from its month,
payments one month or several, ahead and back (at most six months back), and bad input
refused in Chinese with nothing lost."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from dangjian.core.errors import Conflict
from dangjian.dues import services
from dangjian.dues.models import Category, DuesMonth, DuesPayment, DuesRelief

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def dues_of(member, year=2026):
    return {
        d.month.month: d.due_fen
        for d in DuesMonth.objects.filter(member=member, month__year=year).order_by("month")
    }


def test_the_year_is_set_at_its_start_and_a_change_of_pay_applies_from_its_month(branch):
    m = branch.member()
    branch.declare(m, 3000.00)
    branch.assess()
    assert set(dues_of(m).values()) == {1500}
    # Paid January; the pay rises in April (declared in May): February–March stay at 15.00,
    # April on become 30.00 (3000.01 is in the 1 % band).
    services.record_payment(
        m,
        months=[D(2026, 1, 1)],
        amount_fen=1500,
        paid_on=D(2026, 1, 10),
        method="cash",
        actor=branch.secretary,
        today=D(2026, 1, 10),
    )
    branch.declare(m, 3000.01, from_month=D(2026, 4, 1), today=D(2026, 5, 3))
    assert dues_of(m) == {1: 1500, 2: 1500, 3: 1500, **{k: 3000 for k in range(4, 13)}}


def test_a_paid_month_keeps_the_amount_it_was_paid_at(branch):
    m = branch.member()
    branch.declare(m, 3000.00)
    branch.assess()
    services.record_payment(
        m,
        months=[D(2026, 5, 1)],
        amount_fen=1500,
        paid_on=D(2026, 2, 1),
        method="online",
        actor=branch.secretary,
        today=D(2026, 2, 1),
    )
    branch.declare(m, 6000.00, from_month=D(2026, 4, 1), today=D(2026, 4, 3))
    assert dues_of(m)[4] == 9000 and dues_of(m)[5] == 1500


def test_a_base_dated_before_the_member_joined_is_refused(branch):
    m = branch.member(joined=D(2026, 3, 15), full=False)
    with pytest.raises(ValidationError) as caught:
        branch.declare(m, 4000.00, from_month=D(2026, 2, 1))
    assert caught.value.messages == ["张三于2026年3月入党，此前没有应交党费。"]


def test_a_probationary_member_pays_from_the_month_of_the_branch_meeting(branch):
    # The ledger's joining date is the date of the branch meeting that admitted them (D-5).
    m = branch.member(joined=D(2026, 3, 15), full=False)
    branch.declare(m, 4000.00, from_month=D(2026, 3, 1))
    branch.assess()
    assert sorted(dues_of(m)) == list(range(3, 13))


def test_members_with_nothing_declared_are_reported_not_guessed(branch):
    declared, silent = branch.member("甲"), branch.member("乙")
    branch.declare(declared, 2000.00)
    result = branch.assess()
    assert result.created == 12 and result.without_base == {silent.pk}


def test_fixed_categories_and_an_approved_exemption(branch):
    student, farmer, poor = branch.member("学生"), branch.member("农民"), branch.member("困难")
    branch.declare(student, category=Category.STUDENT)
    branch.declare(farmer, category=Category.RURAL, fixed_fen=50)
    branch.declare(poor, 1800.00)
    relief = services.record_relief(
        poor,
        kind="exempt",
        first_month=D(2026, 3, 1),
        last_month=D(2026, 8, 1),
        reason="大病住院",
        decided_on=D(2026, 1, 2),
        actor=branch.secretary,
        today=D(2026, 1, 2),
    )
    branch.assess()
    assert dues_of(poor)[3] == 900  # decided but not yet approved: still due
    services.approve_relief(
        relief,
        approved_on=D(2026, 1, 5),
        approved_by="上级党委",
        actor=branch.higher,
        today=D(2026, 1, 5),
    )
    assert dues_of(student)[1] == 20 and dues_of(farmer)[1] == 50
    assert [dues_of(poor)[k] for k in (2, 3, 8, 9)] == [900, 0, 0, 900]


def test_paying_several_months_ahead_shares_one_receipt_and_the_extra_goes_on_the_last(branch):
    m = branch.member()
    branch.declare(m, 4000.00)  # 40.00 a month
    payments = services.record_payment(
        m,
        months=[D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1)],
        amount_fen=12500,
        paid_on=D(2026, 1, 8),
        method="transfer",
        actor=branch.secretary,
        today=D(2026, 1, 8),
    )
    assert [p.amount_fen for p in payments] == [4000, 4000, 4500]
    assert len({p.receipt_no for p in payments}) == 1
    assert dues_of(m) == {1: 4000, 2: 4000, 3: 4000}  # the months paid were assessed on the way


def test_back_payment_is_limited_to_six_months(branch):
    m = branch.member()
    branch.declare(m, 4000.00)
    pay = dict(amount_fen=4000, method="cash", actor=branch.secretary, today=D(2026, 7, 20))
    services.record_payment(m, months=[D(2026, 1, 1)], paid_on=D(2026, 7, 20), **pay)
    with pytest.raises(ValidationError) as caught:
        services.record_payment(m, months=[D(2025, 12, 1)], paid_on=D(2026, 7, 20), **pay)
    assert "最多补交缴费当月之前 6 个月" in caught.value.messages[0]
    assert "2026年1月" in caught.value.messages[0]


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (3999, "应交 40.00 元"),  # less than due
    ],
)
def test_less_than_due_is_refused(branch, amount, message):
    m = branch.member()
    branch.declare(m, 4000.00)
    with pytest.raises(ValidationError) as caught:
        services.record_payment(
            m,
            months=[D(2026, 1, 1)],
            amount_fen=amount,
            paid_on=D(2026, 1, 5),
            method="cash",
            actor=branch.secretary,
            today=D(2026, 1, 5),
        )
    assert message in caught.value.messages[0]
    assert not DuesPayment.objects.filter(member=m).exists()


def test_a_month_already_paid_is_refused_and_says_who_recorded_it(branch):
    m = branch.member()
    branch.declare(m, 4000.00)
    pay = dict(
        months=[D(2026, 1, 1)],
        amount_fen=4000,
        paid_on=D(2026, 1, 5),
        method="cash",
        today=D(2026, 1, 6),
    )
    services.record_payment(m, actor=branch.secretary, **pay)
    # A second person records the same payment: the database's constraint decides, the
    # second is told who recorded it, and nothing is recorded twice.
    with pytest.raises(Conflict) as caught:
        services.record_payment(m, actor=branch.officer, **pay)
    assert "已记录为已交（40.00 元，2026-01-05" in str(caught.value)
    assert branch.secretary.username in str(caught.value)
    assert DuesPayment.objects.filter(member=m).count() == 1


def test_a_payment_in_the_future_or_before_joining_is_refused(branch):
    m = branch.member(joined=D(2026, 3, 15), full=False)
    branch.declare(m, 4000.00, from_month=D(2026, 3, 1))
    with pytest.raises(ValidationError, match="晚于今天"):
        services.record_payment(
            m,
            months=[D(2026, 3, 1)],
            amount_fen=4000,
            paid_on=D(2026, 4, 2),
            method="cash",
            actor=branch.secretary,
            today=D(2026, 4, 1),
        )
    with pytest.raises(ValidationError, match="此前没有应交党费"):
        services.record_payment(
            m,
            months=[D(2026, 2, 1)],
            amount_fen=4000,
            paid_on=D(2026, 4, 1),
            method="cash",
            actor=branch.secretary,
            today=D(2026, 4, 1),
        )


def test_exempt_months_need_no_payment(branch):
    m = branch.member()
    branch.declare(m, 4000.00)
    relief = services.record_relief(
        m,
        kind=DuesRelief.Kind.EXEMPT,
        first_month=D(2026, 1, 1),
        last_month=D(2026, 2, 1),
        reason="受灾",
        decided_on=D(2026, 1, 2),
        actor=branch.secretary,
        today=D(2026, 1, 2),
    )
    services.approve_relief(
        relief,
        approved_on=D(2026, 1, 3),
        approved_by="党委",
        actor=branch.higher,
        today=D(2026, 1, 3),
    )
    with pytest.raises(ValidationError, match="免交"):
        services.record_payment(
            m,
            months=[D(2026, 1, 1)],
            amount_fen=0,
            paid_on=D(2026, 1, 5),
            method="cash",
            actor=branch.secretary,
            today=D(2026, 1, 5),
        )
