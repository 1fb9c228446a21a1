"""The assessment of many members at once (one query a chunk: members, declarations in force and
approved reductions joined) gives what the one-member path (``assessment.compute``) gives:
hand-computed amounts for a year with a change of pay, a change of category, reductions
approved and not, and members with nothing declared for some months or any."""

import datetime

import pytest

from dangjian.dues import assessment, services
from dangjian.dues.models import Category, DuesMonth, DuesRelief

D = datetime.date
pytestmark = pytest.mark.django_db


def rows_of(member):
    return {
        d.month.month: (d.due_fen, d.standard_fen, d.rate_bp, d.relief_id)
        for d in DuesMonth.objects.filter(member=member, month__year=2026)
    }


def test_the_year_of_a_branch_by_hand_and_as_compute_gives_it(branch):
    a, nothing, farmer, late = (branch.member(n) for n in ("甲", "乙", "丙", "丁"))
    branch.declare(a, 2000.00)  # 0.5 % → 10.00 元
    branch.declare(a, 6000.00, from_month=D(2026, 4, 1))  # 1.5 % → 90.00 元
    branch.declare(a, 5000.01, category=Category.RETIRED, from_month=D(2026, 9, 1))  # 1 % → 50.00
    branch.declare(farmer, category=Category.RURAL, fixed_fen=50)
    branch.declare(late, 3000.01, from_month=D(2026, 7, 1))  # 1 % of the whole base → 30.00 元

    def relief(kind, first, last, decided, monthly_fen=None, approve=True):
        r = services.record_relief(
            a,
            kind=kind,
            first_month=first,
            last_month=last,
            reason="家庭困难",
            decided_on=decided,
            monthly_fen=monthly_fen,
            actor=branch.secretary,
            today=D(2026, 1, 2),
        )
        if approve:
            services.approve_relief(
                r, approved_on=decided, approved_by="上级党委", actor=branch.higher, today=decided
            )
        return r

    reduced = relief("reduced", D(2026, 2, 1), D(2026, 4, 1), D(2026, 1, 1), monthly_fen=500)
    exempt = relief("exempt", D(2026, 5, 1), D(2026, 7, 1), D(2026, 1, 1))
    relief("exempt", D(2026, 10, 1), D(2026, 12, 1), D(2026, 1, 2), approve=False)
    # Decided later and overlapping May (the services refuse an overlap; a ledger kept
    # elsewhere may have one): the latest decision wins, in both paths.
    later = DuesRelief.objects.create(
        member=a,
        kind="reduced",
        monthly_fen=700,
        first_month=D(2026, 5, 1),
        last_month=D(2026, 5, 1),
        reason="补记",
        decided_on=D(2026, 1, 2),
        approved_on=D(2026, 1, 2),
        approved_by="上级党委",
    )

    result = branch.assess()

    assert result.created == 12 + 12 + 6
    assert result.without_base == {nothing.pk, late.pk}  # 丁: January to June
    r, e = reduced.pk, exempt.pk
    assert rows_of(a) == {
        1: (1000, 1000, 50, None),
        2: (500, 1000, 50, r),
        3: (500, 1000, 50, r),
        4: (500, 9000, 150, r),  # the new pay's month, still reduced
        5: (700, 9000, 150, later.pk),
        6: (0, 9000, 150, e),
        7: (0, 9000, 150, e),
        8: (9000, 9000, 150, None),
        9: (5000, 5000, 100, None),  # retired from September
        10: (5000, 5000, 100, None),  # the exemption decided but not approved
        11: (5000, 5000, 100, None),
        12: (5000, 5000, 100, None),
    }
    assert rows_of(farmer) == {m: (50, 50, None, None) for m in range(1, 13)}
    assert rows_of(late) == {m: (3000, 3000, 100, None) for m in range(7, 13)}
    assert rows_of(nothing) == {}
    members = [a.pk, nothing.pk, farmer.pk, late.pk]
    for month in range(1, 13):
        computed, missing = assessment.compute(members, D(2026, month, 1))
        stored = {
            d.member_id: (d.category, d.base_fen, d.rate_bp, d.standard_fen, d.due_fen, d.relief_id)
            for d in DuesMonth.objects.filter(month=D(2026, month, 1), member_id__in=members)
        }
        assert stored == {
            pk: (c.category, c.base_fen, c.rate_bp, c.standard_fen, c.due_fen, c.relief_id)
            for pk, c in computed.items()
        }
        assert missing == ({nothing.pk} if month >= 7 else {nothing.pk, late.pk})
