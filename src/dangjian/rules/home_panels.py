"""The rules' panel on home pages: open findings in the user's scope, by severity."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from dangjian.access import scope
from dangjian.access.home import Item, Panel, register
from dangjian.rules.models import Finding, Severity

TONE = {Severity.SERIOUS: "danger", Severity.WARNING: "warning", Severity.INFO: ""}


def open_findings(request, today):
    counts = dict(
        scope.visible(Finding, request.user)
        .open()
        .order_by()
        .values_list("severity")
        .annotate(n=Count("pk"))
        .values_list("severity", "n")
    )
    url = reverse("rules:finding_list")
    return [
        Item(
            _("Open findings: %(severity)s") % {"severity": severity.label},
            f"{url}?{urlencode({'severity': severity.value})}",
            count=counts.get(severity.value, 0),
            tone=TONE[severity] if counts.get(severity.value) else "",
        )
        for severity in (Severity.SERIOUS, Severity.WARNING, Severity.INFO)
    ]


def register_panels() -> None:
    register(
        Panel(
            "rules.findings",
            _("Problems found by the rules"),
            capability="ledger",
            items=open_findings,
            order=20,
        )
    )
