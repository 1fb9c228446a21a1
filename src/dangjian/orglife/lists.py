"""The meetings list: columns declared once for the page and the export."""

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from dangjian.access.listspec import ListSpec, column, field
from dangjian.orglife.models import Meeting


def _time(m: Meeting) -> str:
    if m.starts_at is None:
        return ""
    end = f"–{m.ends_at:%H:%M}" if m.ends_at else ""
    return f"{m.starts_at:%H:%M}{end}"


def _counts_words(m: Meeting) -> str:
    if m.is_planned:
        return str(_("planned"))
    return str(_("counts")) if m.counts else str(_("does not count"))


def _counts_badge(m: Meeting):
    css = (
        "text-bg-secondary"
        if m.is_planned
        else ("text-bg-success" if m.counts else "text-bg-danger")
    )
    return format_html('<span class="badge {}">{}</span>', css, _counts_words(m))


MEETINGS = ListSpec(
    "orglife:meeting_list",
    title=Meeting._meta.verbose_name_plural,
    table_id="meetings",
    key="held_on",
    newest_first=True,
    columns=[
        field(Meeting, "held_on", 12, css="text-nowrap"),
        column(_("time"), _time, 12, css="text-nowrap", empty=""),
        field(Meeting, "kind", 16),
        field(
            Meeting,
            "topic",
            30,
            link=lambda m: reverse("orglife:meeting_detail", args=[m.pk]),
            value=lambda m: m.topic or m.get_kind_display(),
        ),
        field(Meeting, "party_organization", 28),
        column(_("counts as the required meeting"), _counts_words, 12, cell=_counts_badge),
        field(Meeting, "expected_count", 8, empty=""),
        field(Meeting, "present_count", 8, empty=""),
        field(Meeting, "place", 20, html=False),
    ],
)
