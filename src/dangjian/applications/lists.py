"""The workflow lists: columns declared once for the page and the export (core.lists)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.access.listspec import ListSpec, column, field
from dangjian.applications.models import Application, FormationCase


def _units(case):
    return "、".join(u.name for u in case.units.all())


FORMATION_CASES = ListSpec(
    "applications:formation_list",
    title=FormationCase._meta.verbose_name_plural,
    key="created_at",
    newest_first=True,
    table_id="cases",
    columns=[
        field(
            FormationCase,
            "name",
            34,
            link=lambda c: reverse("applications:formation_detail", args=[c.pk]),
        ),
        field(FormationCase, "kind", 12),
        field(FormationCase, "mode", 22, empty=""),
        column(_("covered units"), _units, 40, empty=""),
        field(FormationCase, "status", 10),
        column(
            _("opened"),
            lambda c: c.created_at,
            cell=lambda c: f"{c.created_at:%Y-%m-%d}",
            css="text-nowrap",
            export=False,
        ),
        field(FormationCase, "approval_doc_no", 20, html=False),
        field(FormationCase, "approval_date", 12, html=False),
        field(FormationCase, "established_on", 12, html=False),
        field(FormationCase, "decided_at", 18, html=False),
    ],
)


# The instructors' table and export stay in the view and template (their assignments and
# overdue visits are computed per page); the spec gives the list its keyset page and its
# query-count baseline.
INSTRUCTORS = ListSpec("applications:instructor_list", columns=[])


APPLICATIONS = ListSpec(
    "applications:application_list",
    title=Application._meta.verbose_name_plural,
    table_id="applications",
    # The export reads newest first; drafts (never submitted) last.
    export_order=("-submitted_at", "pk"),
    columns=[
        field(
            Application,
            "name",
            34,
            link=lambda a: reverse("applications:application_detail", args=[a.pk]),
        ),
        field(Application, "uscc", 22, css="masked", empty=""),
        field(Application, "category", 10, html=False),
        field(Application, "district", 12, html=False),
        field(Application, "federation", 26, empty=""),
        # The page shows when it came in before its status; the export after.
        field(Application, "submitted_at", export=False),
        field(Application, "requested_role", 12, html=False),
        field(Application, "status", 10),
        field(Application, "submitted_at", 18, html=False),
        field(Application, "decided_at", 18, html=False),
        field(Application, "reason", 30, html=False),
    ],
)
