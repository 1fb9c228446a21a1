"""The inspections' lists: columns declared once for the page and the export (core.lists)."""

from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from dangjian.core.lists import ListSpec, field
from dangjian.inspections.models import Visit


def _organization(v):
    badge = (
        format_html(
            ' <span class="badge text-bg-danger">{}</span>',
            _("unreachable at the registered address"),
        )
        if v.unreachable_at_address
        else ""
    )
    return format_html(
        '<a href="{}">{}</a>{}',
        reverse("registry:organization_detail", args=[v.organization_id]),
        v.organization.name,
        badge,
    )


def _visitors(v):
    if not v.instructor:
        return v.visitors
    return format_html(
        '{}<div class="small text-muted">{}：{}</div>',
        v.visitors,
        _("instructor"),
        v.instructor.name,
    )


VISITS = ListSpec(
    "inspections:visit_list",
    title=Visit._meta.verbose_name_plural,
    key="visited_on",
    newest_first=True,
    table_css="table table-sm",
    empty=_("No visits recorded."),
    columns=[
        field(Visit, "visited_on", 12, css="text-nowrap", empty=""),
        field(Visit, "organization", 34, cell=_organization),
        field(Visit, "visitors", 20, cell=_visitors, empty=""),
        field(Visit, "instructor", 14, html=False),
        field(Visit, "findings", 40, cell=lambda v: linebreaksbr(v.findings), empty=""),
        field(Visit, "unreachable_at_address", 12, html=False),
        field(Visit, "follow_up", 40, cell=lambda v: linebreaksbr(v.follow_up), empty=""),
    ],
)
