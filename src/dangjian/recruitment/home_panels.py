"""Recruitment on the home pages of whoever keeps a branch's applicants (secretaries,
officers): the applicants with a step overdue, by the one definition the overdue rule reads
(``queries.pipeline``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.access import scope
from dangjian.access.home import Item, Panel, register
from dangjian.recruitment import queries
from dangjian.recruitment.models import Applicant


def overdue_steps(request, today):
    applicants = queries.in_progress(scope.visible(Applicant, request.user))
    return [
        Item(
            s.applicant.name,
            reverse("recruitment:applicant", args=[s.applicant.pk]),
            due=s.overdue[0].due_on,
            tone="danger",
            note=s.overdue[0].title,
        )
        for s in queries.pipeline(applicants, today)
        if s.overdue
    ]


def register_panels():
    register(
        Panel(
            "recruitment.overdue",
            _("Recruitment steps overdue"),
            capability="keep_meetings",
            items=overdue_steps,
            order=26,
            hide_when_empty=True,
        )
    )
