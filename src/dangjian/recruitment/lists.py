"""The recruitment lists: columns declared once for the page and the export."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.access.listspec import ListSpec, column, field
from dangjian.recruitment import procedure
from dangjian.recruitment.models import Applicant


def _stage(a: Applicant) -> str:
    return procedure.stage_title(a.stage, timezone.localdate()) if a.stage else ""


def _last_step(a: Applicant) -> str:
    if not a.last_step:
        return ""
    return procedure.step(a.last_step, timezone.localdate()).title


APPLICANTS = ListSpec(
    "recruitment:index",
    title=_("Applicants for party membership"),
    table_id="applicants",
    key="applied_on",
    newest_first=True,
    columns=[
        field(Applicant, "name", 12, link=lambda a: reverse("recruitment:applicant", args=[a.pk])),
        field(
            Applicant,
            "branch",
            30,
            link=lambda a: reverse("recruitment:branch", args=[a.branch_id]),
        ),
        field(Applicant, "applied_on", 12),
        column(_("stage"), _stage, 24),
        column(_("last step"), _last_step, 20),
        field(Applicant, "status", 12),
    ],
)
