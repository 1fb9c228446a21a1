"""Every write on dues: declarations, reductions (``declarations``), the assessment of months
(``assessing``), payments (``payments``), good reasons and steps on arrears (``arrears``),
hand-ins and their receipt (``hand_ins``), the yearly publication (``publication``); the checks
they share are in ``common``.

Keyword ``actor``, atomic, audited; refusals are Django's ``ValidationError`` or
``core.errors.Conflict`` with a Chinese message. The pages, the ledger import, the demo and the
admin call these (tests/test_services_only.py fails on a write anywhere else). Nothing here
removes or changes a party member: arrears are recorded and acted on by people. One module per
concern, every public name re-exported here.
"""

from dangjian.dues.services.arrears import record_arrears_reason, record_arrears_step
from dangjian.dues.services.assessing import (
    BRANCHES_PER_CHUNK,
    MONTH_COLUMNS,
    Assessed,
    assess,
    assess_year,
    reassess,
)
from dangjian.dues.services.declarations import approve_relief, declare_base, record_relief
from dangjian.dues.services.hand_ins import hand_in, receive_hand_in
from dangjian.dues.services.payments import (
    Method,
    check_amount,
    check_payment_months,
    record_payment,
    record_payments_bulk,
)
from dangjian.dues.services.publication import publish_year

__all__ = [
    "BRANCHES_PER_CHUNK",
    "MONTH_COLUMNS",
    "Assessed",
    "Method",
    "approve_relief",
    "assess",
    "assess_year",
    "check_amount",
    "check_payment_months",
    "declare_base",
    "hand_in",
    "publish_year",
    "reassess",
    "receive_hand_in",
    "record_arrears_reason",
    "record_arrears_step",
    "record_payment",
    "record_payments_bulk",
    "record_relief",
]
