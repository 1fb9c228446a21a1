"""A finding's evidence as people read it: a table of Chinese labels and values in words —
dates as dates, meeting periods by name, kinds by their labels, the subject and related
findings as links — never the JSON the engine stores.

The kinds write evidence as plain data (ISO dates, codes); the labels of its keys live here,
once, for every page that shows evidence.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.governance.models import MajorDecision
from dangjian.orglife.models import Meeting
from dangjian.party.models import PartyOrganization
from dangjian.rulebook.periods import code_label
from dangjian.rules.asof import shown

LABELS = {
    "count_by": gettext_lazy("members counted by"),
    "extended_until": gettext_lazy("extended until"),
    "members": gettext_lazy("members whose relation is elsewhere"),
    "relations": gettext_lazy("where the relations are held"),
    "member_ids": gettext_lazy("member record numbers"),
    "member_id": gettext_lazy("member record number"),
    "count": gettext_lazy("months in a row"),
    "since_window_start": gettext_lazy("began before the months looked back on"),
    "full_members": gettext_lazy("full members"),
    "threshold": gettext_lazy("threshold"),
    "since": gettext_lazy("since"),
    "months": gettext_lazy("months"),
    "as_of": gettext_lazy("as of"),
    "units": gettext_lazy("units covered"),
    "max_units": gettext_lazy("units allowed at most"),
    "unit_names": gettext_lazy("units covered"),
    "posts": gettext_lazy("committee members in office"),
    "kind": gettext_lazy("kind of party organization"),
    "should_be": gettext_lazy("should be set up as"),
    "term_started_on": gettext_lazy("term started on"),
    "term_years": gettext_lazy("term (years)"),
    "term_ends_on": gettext_lazy("term ends on"),
    "extension_years": gettext_lazy("extension (years)"),
    "deadline": gettext_lazy("due by"),
    "overdue_days": gettext_lazy("days overdue"),
    "vacant_since": gettext_lazy("vacant since"),
    "days": gettext_lazy("days"),
    "had_secretary": gettext_lazy("had a secretary before"),
    "charter_adopted_on": gettext_lazy("charter adopted on"),
    "year": gettext_lazy("year"),
    "decisions": gettext_lazy("decisions without the party organization"),
    "recorded_decisions": gettext_lazy("decisions recorded in the year"),
    "missing": gettext_lazy("not met"),
    "missing_total": gettext_lazy("meetings missing in all"),
    "conditions": gettext_lazy("conditions met"),
    "meeting": gettext_lazy("the meeting"),
    "similar_meeting": gettext_lazy("alike with the meeting"),
    "similarity": gettext_lazy("similarity"),
    "similar_count": gettext_lazy("meetings with alike records"),
    "recorded_on": gettext_lazy("record written on"),
    "days_after": gettext_lazy("days after the meeting"),
    "max_days": gettext_lazy("days allowed"),
    "photo_distance": gettext_lazy("bits the photos differ in"),
    "applicant_id": gettext_lazy("applicant record number"),
    "step": gettext_lazy("recruitment step"),
    "article": gettext_lazy("article"),
    "letter_no": gettext_lazy("letter number"),
    "issued_on": gettext_lazy("letter issued on"),
    "valid_until": gettext_lazy("valid until"),
    "last_contact": gettext_lazy("last contact"),
}
# Values that are codes of a choice: shown by their label.
CHOICES = {"kind": PartyOrganization.Kind, "body": MajorDecision.Body}


def label(key: str) -> str:
    """The Chinese label of an evidence key (the key itself for one no label was written for,
    which a test of the demo's findings catches)."""
    return str(LABELS.get(key, key))


# Evidence keys that list units by name: linked to the units' profiles the user may see.
UNIT_NAMES = ("unit_names",)


def unit_names(evidence: dict[str, Any]) -> list[str]:
    return [n for key in UNIT_NAMES for n in evidence.get(key) or [] if isinstance(n, str)]


def rows(
    evidence: dict[str, Any],
    day: datetime.date | None,
    *,
    related: dict[str, int] | None = None,
    units: dict[str, int] | None = None,
) -> list[tuple[str, SafeString]]:
    """[(label, value as HTML)] for the evidence's keys in their order, its texts read as of
    ``day`` (``rules.asof``). ``related`` maps a rule id to the finding of the same subject
    that an item points to (``see_rule``); ``units`` maps a unit's name to its id, for the
    names the user may follow to a profile."""
    related = related or {}
    result = []
    for key, value in evidence.items():
        if key in UNIT_NAMES and isinstance(value, list) and units:
            result.append((label(key), _units(value, units)))
        else:
            result.append((label(key), _value(key, value, related, day)))
    return result


def _units(names: list[Any], units: dict[str, int]) -> SafeString:
    def one(name: Any) -> SafeString:
        pk = units.get(str(name))
        if pk is None:
            return format_html("{}", name)
        return format_html(
            '<a href="{}">{}</a>', reverse("registry:organization_detail", args=[pk]), name
        )

    return format_html_join("、", "{}", ((one(n),) for n in names))


def _value(key: str, value: Any, related: dict[str, int], day: datetime.date | None) -> SafeString:
    if isinstance(value, bool):
        return format_html("{}", _("yes") if value else _("no"))
    if key == "count_by" and isinstance(value, str):
        from dangjian.rules.kinds.base import BASIS_ZH  # the counting bases' words, one home

        return format_html("{}", BASIS_ZH.get(value, value))
    if key in CHOICES and isinstance(value, str):
        choices = CHOICES[key]
        return format_html("{}", choices(value).label if value in choices.values else value)
    if isinstance(value, str):
        return format_html("{}", shown(value, day))
    if isinstance(value, list):
        return _list(value, related, day)
    if isinstance(value, dict):
        return _meetings(value, day)
    return format_html("{}", "—" if value is None else value)


def _list(items: list[Any], related: dict[str, int], day: datetime.date | None) -> SafeString:
    if not items:
        return format_html("{}", _("no items"))
    if all(isinstance(i, dict) and "text" in i for i in items):
        return format_html(
            '<ol class="mb-0 ps-3">{}</ol>',
            format_html_join("", "<li>{}</li>", ((_item(i, related, day),) for i in items)),
        )
    if all(isinstance(i, dict) and "decided_on" in i for i in items):
        return format_html(
            '<ol class="mb-0 ps-3">{}</ol>',
            format_html_join(
                "",
                "<li>{}“{}”（{}）</li>",
                (
                    (
                        shown(i["decided_on"], day),
                        i.get("subject", ""),
                        _choice("body", i.get("body", "")),
                    )
                    for i in items
                ),
            ),
        )
    return format_html("{}", "、".join(shown(str(i), day) for i in items))


def _item(item: dict[str, Any], related: dict[str, int], day: datetime.date | None) -> SafeString:
    text = shown(item["text"], day)
    target = related.get(item.get("see_rule", ""))
    if target is None:
        return format_html("{}", text)
    return format_html(
        '{} <a href="{}">{}</a>',
        text,
        reverse("rules:finding_detail", args=[target]),
        _("see that finding"),
    )


def _choice(key: str, value: str) -> str:
    choices = CHOICES[key]
    return str(choices(value).label) if value in choices.values else value


def _meetings(value: dict[str, Any], day: datetime.date | None) -> SafeString:
    """Organizational life's missing periods: {meeting kind: {"period", "missing": [codes]}}."""
    kinds = Meeting.Kind
    return format_html(
        '<ul class="mb-0 ps-3">{}</ul>',
        format_html_join(
            "",
            "<li>{}：{}</li>",
            (
                (
                    kinds(k).label if k in kinds.values else label(k),
                    "、".join(code_label(c) for c in v.get("missing", []))
                    if isinstance(v, dict)
                    else shown(str(v), day),
                )
                for k, v in value.items()
            ),
        ),
    )
