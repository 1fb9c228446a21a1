"""Grade eligibility with the credit-list findings: a workflow above the rules.

Whether a unit may be graded depends on the open findings that propose a credit listing.
Findings are judgments (``rules``), which sit above the inspections app that scores the
sheet; so the decision that joins them is made here and handed to
``inspections.services.evaluate_grade``.
"""

from __future__ import annotations

import datetime
from typing import Any

from dangjian.inspections.grading import Eligibility, eligibility
from dangjian.rules.models import Finding

# Open findings of these rules mean the unit is proposed for a credit list. (The list of serious
# violations is the registration authority's decision, not something the ledger shows: the
# evaluator ticks it on the score sheet — ``on_serious_list``.)
LIST_RULES = ("credit.abnormal_list_proposal",)


def open_list_findings(organization: Any) -> list[str]:
    """Rule ids of the unit's open findings that propose a credit listing."""
    return list(
        Finding.objects.open()
        .filter(organization=organization, rule_id__in=LIST_RULES)
        .values_list("rule_id", flat=True)
        .distinct()
    )


def grade_eligibility(
    organization: Any,
    day: datetime.date,
    *,
    on_abnormal_list: bool = False,
    on_serious_list: bool = False,
) -> Eligibility:
    """May ``organization`` be graded on ``day``: registered long enough, not on the lists the
    evaluator ticked, and no open finding proposing a credit listing."""
    return eligibility(
        organization,
        day,
        on_abnormal_list=on_abnormal_list,
        on_serious_list=on_serious_list,
        list_findings=open_list_findings(organization),
    )
