"""The letter register: columns declared once for the page and the export (core.lists)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.access.listspec import ListSpec, field
from dangjian.recommendations.models import Letter

LETTERS = ListSpec(
    "recommendations:letter_list",
    title=_("Register of outgoing letters"),
    key="created_at",
    newest_first=True,
    table_css="table table-sm",
    empty=_("No letters yet."),
    columns=[
        field(Letter, "doc_number", 22),
        field(
            Letter,
            "title",
            40,
            link=lambda letter: reverse("recommendations:letter_detail", args=[letter.pk]),
        ),
        field(Letter, "recipient", 26, empty=""),
        field(Letter, "issued_on", 12),
        field(Letter, "status", 10),
        field(Letter, "sent_on", 12, html=False),
        field(Letter, "sent_via", 12, html=False),
        field(Letter, "replied_on", 12),
        field(Letter, "closed_on", 12, html=False),
    ],
)
