"""The rules app's lists: columns declared once for the page and the export (core.lists)."""

from django.urls import reverse
from django.utils.functional import keep_lazy
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from dangjian.access import scope
from dangjian.access.listspec import ListSpec, column, field
from dangjian.access.models import Action
from dangjian.rules.asof import shown
from dangjian.rules.models import Finding, Severity

BADGES = {"serious": "text-bg-danger", "warning": "text-bg-warning"}


@keep_lazy(SafeString)
def _hidden(text):
    return format_html('<span class="visually-hidden">{}</span>', text)


# An "as of" list (``FindingFilter``'s as_of) shows each finding as that day's evaluation
# found it: the row carries the day and that day's severity and explanation.
def _severity(f):
    return getattr(f, "seen_severity", None) or f.severity


def _severity_label(f):
    value = _severity(f)
    return Severity(value).label if value in Severity.values else value


def _explanation(f):
    seen = getattr(f, "seen_explanation", None)
    return shown(seen, f.seen_on) if seen else f.explanation_text


def _detail_link(f):
    url = reverse("rules:finding_detail", args=[f.pk])
    seen_on = getattr(f, "seen_on", None)
    return f"{url}?as_of={seen_on.isoformat()}" if seen_on else url


def _subject_link(f):
    if f.organization_id:
        return reverse("registry:organization_detail", args=[f.organization_id])
    if f.party_organization_id:
        return reverse("party:party_organization_detail", args=[f.party_organization_id])
    return ""


def _checkbox(f):
    return format_html(
        '<input class="form-check-input" type="checkbox" name="finding" value="{}"'
        ' aria-label="{} {}">',
        f.pk,
        _("select"),
        f.pk,
    )


def _severity_badge(f):
    return format_html(
        '<span class="badge {}">{}</span>',
        BADGES.get(_severity(f), "text-bg-secondary"),
        _severity_label(f),
    )


FINDINGS = ListSpec(
    "rules:finding_list",
    title=Finding._meta.verbose_name_plural,
    key="rule_id",
    table_id="findings",
    table_css="table table-sm table-hover align-middle",
    empty=_("No findings match."),
    row_attrs=lambda f: format_html('data-rule="{}"', f.rule_id),
    columns=[
        column(
            _hidden(_("select")),
            lambda f: f.pk,
            cell=_checkbox,
            export=False,
            when=lambda request: scope.can(request.user, Action.EDIT),
        ),
        field(Finding, "rule_id", 22, value=lambda f: f.title, link=_detail_link),
        column(_("subject"), lambda f: f.subject_name, 32, link=_subject_link),
        field(Finding, "federation", 24, html=False),
        column(_("period"), lambda f: f.period_label, export=False),
        field(Finding, "severity", 8, value=_severity_label, cell=_severity_badge),
        # The workbook keeps its columns where they were: the period after the severity.
        column(_("period"), lambda f: f.period_label, 12, html=False),
        field(
            Finding,
            "explanation",
            70,
            value=_explanation,
            css="small",
            empty="",
            cell=lambda f: Truncator(_explanation(f)).chars(160),
        ),
        field(Finding, "first_seen", 12, css="text-nowrap", empty=""),
        field(Finding, "last_seen", 12, css="text-nowrap", empty=""),
        field(Finding, "status", 10),
        field(Finding, "resolved_on", 12, html=False),
        field(Finding, "dismissed_reason", 30, html=False),
    ],
)


# The units behind a coverage figure: the template's table, a keyset page (no export).
COVERAGE_UNITS = ListSpec(
    "rules:coverage_units", columns=[], baseline_query={"measure": "uncovered"}
)
