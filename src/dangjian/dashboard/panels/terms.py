"""Terms (换届): when the term in force of each party organization ends — already past its
deadline (the rule ``terms.overdue`` finds those), or ending within 3, 6 or 12 months. The
term in force and its length are ``party.term_queries``' (``with_term_in_force``,
``default_term_years``); the deadline is the term's end or an approved extension's."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.dashboard.panels import register
from dangjian.party.models import PartyOrganization
from dangjian.party.term_queries import Term, default_term_years, with_term_in_force
from dangjian.rulebook.periods import add_months

# Display bands only (the judgment "overdue" is the rule's): months ahead of the day.
BANDS = (3, 6, 12)


@register("terms", gettext_lazy("Terms"), 60)
def compute(ctx) -> dict[str, Any]:
    K = PartyOrganization.Kind
    rows = with_term_in_force(
        ctx.party_organizations(),
        ctx.day,
        committee_years=default_term_years(K.COMMITTEE, ctx.federation, ctx.day),
        branch_years=default_term_years(K.BRANCH, ctx.federation, ctx.day),
    ).values_list("term_started_on", "term_years", "extended_until")  # type: ignore[misc]
    counts = [0] * (len(BANDS) + 1)  # overdue, then each band
    limits = [add_months(ctx.day, m) for m in BANDS]
    for started, years, extended in rows:
        if started is None or years is None:
            continue
        deadline = Term(started, years, None, extended).deadline
        if deadline < ctx.day:
            counts[0] += 1
            continue
        for i, limit in enumerate(limits, start=1):
            if deadline <= limit:
                counts[i] += 1
                break
    overdue_link = ctx.url("rules:finding_list", rule="terms.overdue")
    others = ctx.url("party:party_organization_list")
    # Within the rulebook's reminders (3 and 6 months) the officer's list of terms to renew.
    to_renew = ctx.url("party:terms_to_renew")
    x = [_("past the deadline")] + [_("ending within %(n)s months") % {"n": m} for m in BANDS]
    chart = {
        "id": "terms-ending",
        "title": _("Terms in force: when they end"),
        "type": "bar",
        "unit": "",
        "x": x,
        "series": [{"name": _("party organizations"), "data": counts}],
        "links": [overdue_link, to_renew, to_renew, others],
    }
    figures = [
        {
            "label": _("terms past the deadline"),
            "value": counts[0],
            "unit": "",
            "link": overdue_link,
        },
        {
            "label": _("terms ending within %(n)s months") % {"n": BANDS[1]},
            "value": counts[1] + counts[2],
            "unit": "",
            "link": to_renew,
        },
    ]
    return {"figures": figures, "charts": [chart]}
