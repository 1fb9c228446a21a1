"""The workflow lists: columns declared once for the page and the export (core.lists)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.applications.models import FormationCase
from dangjian.core.lists import ListSpec, column, field


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


# Lists whose tables are still the template's and whose exports are the view's (the
# application tabs, the instructors with their computed assignments): the specs give them
# their keyset pages and their query-count baselines.
APPLICATIONS = ListSpec("applications:application_list", columns=[])
INSTRUCTORS = ListSpec("applications:instructor_list", columns=[])
