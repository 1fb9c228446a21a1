"""The inspections' lists: columns declared once for the page and the export (core.lists)."""

from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from dangjian.access.listspec import ListSpec, column, field
from dangjian.inspections.models import GradeEvaluation, Visit


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


def _validity(e):
    if not e.valid_from:
        return None
    return (
        f"{e.valid_from:%Y-%m-%d} – {e.valid_to:%Y-%m-%d}"
        if e.valid_to
        else f"{e.valid_from:%Y-%m-%d} – "
    )


GRADES = ListSpec(
    "inspections:grade_list",
    title=GradeEvaluation._meta.verbose_name_plural,
    key="evaluated_on",
    newest_first=True,
    table_css="table table-sm",
    empty=_("No evaluations yet."),
    export_order=("-year", "organization__name", "pk"),
    columns=[
        # The page leads with the unit, the export (read by year) with the year.
        field(
            GradeEvaluation,
            "organization",
            export=False,
            cell=lambda e: e.organization.name,
            link=lambda e: reverse("inspections:grade_detail", args=[e.pk]),
        ),
        field(GradeEvaluation, "year", 8),
        field(GradeEvaluation, "organization", 34, html=False),
        field(GradeEvaluation, "evaluated_on", 12, html=False),
        field(GradeEvaluation, "total_score", 10),
        field(GradeEvaluation, "eligible", 10, html=False),
        field(GradeEvaluation, "grade", 8, cell=lambda e: e.grade),
        column(_("valid"), _validity, export=False),
        field(GradeEvaluation, "notice_no", 20, html=False),
        field(GradeEvaluation, "valid_from", 12, html=False),
        field(GradeEvaluation, "valid_to", 12, html=False),
        field(GradeEvaluation, "status", 10),
    ],
)


# The annual-inspection register: its rows are computed per page (each unit's two report
# states from the deadlines), so its table and export stay in the view and the template; the
# spec gives it its keyset page and its query-count baseline.
INSPECTIONS = ListSpec("inspections:inspection_list", columns=[])
