"""The dues half of a member's last contact (LIFECYCLE T-8), kept as dates: ``LastPaid`` (the
latest day each member paid) and ``BranchLastPaid`` (the latest day each party organization
collected dues: it keeps its members' records here). ``transfers.queries.out_of_contact``
reads them instead of every member's payments and every branch's.

Every payment writer (``services.record_payment``, ``services.record_payments_bulk``) calls
``payments_changed`` in its transaction; ``rebuild`` recomputes both (``dangjian
last_contacts``)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Max, QuerySet

from dangjian.core import latest
from dangjian.dues.models import BranchLastPaid, DuesPayment, LastPaid


def _latest(key: str):
    def truth(ids: list[int] | None) -> QuerySet:
        rows = DuesPayment.objects.all()
        if ids is not None:
            rows = rows.filter(**{f"{key}__in": ids})
        return rows.order_by().values(key).annotate(d=Max("paid_on")).values_list(key, "d")

    return truth


_paid = _latest("member_id")
_collected = _latest("party_organization_id")


def payments_changed(payments: Iterable[DuesPayment]) -> None:
    """These payments were written or removed: their members' and branches' latest days
    recomputed."""
    payments = list(payments)
    latest.refresh(LastPaid, "paid_on", _paid, (p.member_id for p in payments))
    latest.refresh(
        BranchLastPaid, "paid_on", _collected, (p.party_organization_id for p in payments)
    )


def rebuild() -> dict[str, dict[str, int]]:
    """Both tables recomputed from the payments; the drift of each."""
    return {
        "paid": latest.rebuild(LastPaid, "paid_on", _paid),
        "collected": latest.rebuild(BranchLastPaid, "paid_on", _collected),
    }
