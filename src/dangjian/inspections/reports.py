"""The state of a unit's annual report against its deadline (on time, late, missing, …).

The deadlines themselves are the rulebook's (``dangjian.rulebook.deadlines``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class ReportState:
    code: str  # on_time | late | missing | pending | exempt
    label: StrOrPromise  # one of STATE_LABELS, translated when shown
    deadline: datetime.date
    received_on: datetime.date | None

    @property
    def is_problem(self) -> bool:
        return self.code in ("late", "missing")


STATE_LABELS = {
    "on_time": _("on time"),
    "late": _("late"),
    "missing": _("not received"),
    "pending": _("not yet due"),
    "exempt": _("exempt"),
}


def report_state(
    received_on: datetime.date | None,
    deadline: datetime.date,
    today: datetime.date,
    exempt: bool = False,
) -> ReportState:
    if exempt:
        code = "exempt"
    elif received_on is not None:
        code = "on_time" if received_on <= deadline else "late"
    else:
        code = "missing" if today > deadline else "pending"
    return ReportState(code, STATE_LABELS[code], deadline, received_on)
