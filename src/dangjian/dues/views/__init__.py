"""Pages of the dues app: the branch secretary's month, the year's amounts, hand-ins and the
publication; a member's ledger and receipts; the arrears worklist; the member's own page."""

from dangjian.dues.views.branches import (
    assess,
    branch,
    hand_in_new,
    hand_in_receive,
    hand_ins,
    index,
    year,
)
from dangjian.dues.views.members import arrears, member, mine, receipt

__all__ = [
    "arrears",
    "assess",
    "branch",
    "hand_in_new",
    "hand_in_receive",
    "hand_ins",
    "index",
    "member",
    "mine",
    "receipt",
    "year",
]
