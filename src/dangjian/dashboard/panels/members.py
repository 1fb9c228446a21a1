"""Members' structure on the day: age, sex, education, years in the party, full against
probationary — counted over the subtree's members the viewer may see (``Context.members``)
in one aggregate query and two grouped ones. 预备党员 are those not yet full on the day
(``PartyMember.full_on_q``)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from dangjian.dashboard.panels import register
from dangjian.party.models import PartyMember
from dangjian.rulebook.periods import add_years

AGE_BANDS = [(None, 30), (30, 40), (40, 50), (50, 60), (60, None)]
PARTY_YEARS = [(None, 5), (5, 10), (10, 20), (20, 30), (30, None)]


def _band_label(lo: int | None, hi: int | None, unit: str) -> str:
    if lo is None:
        return _("under %(n)s %(unit)s") % {"n": hi, "unit": unit}
    if hi is None:
        return _("%(n)s %(unit)s and over") % {"n": lo, "unit": unit}
    return f"{lo}–{hi - 1} {unit}"


def _band_q(field: str, day, lo: int | None, hi: int | None) -> Q:
    """Whole years from ``field`` to ``day`` in [lo, hi): dates compared, no SQL arithmetic."""
    q = Q(**{f"{field}__isnull": False})
    if lo is not None:
        q &= Q(**{f"{field}__lte": add_years(day, -lo)})
    if hi is not None:
        q &= Q(**{f"{field}__gt": add_years(day, -hi)})
    return q


@register("members", gettext_lazy("Members' structure"), 40)
def compute(ctx) -> dict[str, Any]:
    day = ctx.day
    members = ctx.members().order_by()
    aggregates: dict[str, Any] = {
        "total": Count("id"),
        "full": Count("id", filter=PartyMember.full_on_q(day)),
    }
    for i, (lo, hi) in enumerate(AGE_BANDS):
        aggregates[f"age{i}"] = Count("id", filter=_band_q("birth_date", day, lo, hi))
    for i, (lo, hi) in enumerate(PARTY_YEARS):
        aggregates[f"years{i}"] = Count("id", filter=_band_q("joined_party_on", day, lo, hi))
    # One pass over the members: the bands counted per (sex, education), summed here.
    counts: dict[str, int] = defaultdict(int)
    genders: dict[str, int] = defaultdict(int)
    educations: dict[str, int] = defaultdict(int)
    for row in members.values("gender", "education").annotate(**aggregates):
        for key in aggregates:
            counts[key] += row[key]
        genders[row["gender"]] += row["total"]
        educations[row["education"]] += row["total"]
    total, full = counts["total"], counts["full"]
    link = ctx.url("party:party_organization_list")
    age_x = [_band_label(lo, hi, pgettext("age", "years")) for lo, hi in AGE_BANDS]
    age_data = [counts[f"age{i}"] for i in range(len(AGE_BANDS))]
    unknown_age = total - sum(age_data)
    if unknown_age:
        age_x.append(_("birth date not recorded"))
        age_data.append(unknown_age)
    charts = [
        {
            "id": "members-status",
            "title": _("Full and probationary members"),
            "type": "pie",
            "unit": "",
            "x": [pgettext("members", "full"), pgettext("members", "probationary")],
            "series": [{"name": _("members"), "data": [full, total - full]}],
            "links": [link, link],
        },
        {
            "id": "members-gender",
            "title": _("Sex"),
            "type": "pie",
            "unit": "",
            "x": [str(label) for _v, label in PartyMember.Gender.choices],
            "series": [
                {
                    "name": _("members"),
                    "data": [genders.get(v, 0) for v, _l in PartyMember.Gender.choices],
                }
            ],
            "links": [link] * len(PartyMember.Gender.choices),
        },
        {
            "id": "members-age",
            "title": _("Age"),
            "type": "bar",
            "unit": "",
            "x": age_x,
            "series": [{"name": _("members"), "data": age_data}],
            "links": [link] * len(age_x),
        },
        {
            "id": "members-education",
            "title": _("Education"),
            "type": "bar",
            "unit": "",
            "x": [str(label) for _v, label in PartyMember.Education.choices],
            "series": [
                {
                    "name": _("members"),
                    "data": [educations.get(v, 0) for v, _l in PartyMember.Education.choices],
                }
            ],
            "links": [link] * len(PartyMember.Education.choices),
        },
        {
            "id": "members-years",
            "title": _("Years in the party"),
            "type": "bar",
            "unit": "",
            "x": [
                _band_label(lo, hi, pgettext("party standing", "years")) for lo, hi in PARTY_YEARS
            ],
            "series": [
                {
                    "name": _("members"),
                    "data": [counts[f"years{i}"] for i in range(len(PARTY_YEARS))],
                }
            ],
            "links": [link] * len(PARTY_YEARS),
        },
    ]
    figures = [
        {"label": _("party members"), "value": total, "unit": "", "link": link},
        {"label": _("probationary members"), "value": total - full, "unit": "", "link": link},
    ]
    return {"figures": figures, "charts": charts}
