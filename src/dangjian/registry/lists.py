"""The registry's lists: columns declared once (core.lists). The member-unit export is the
ledger's own (``ledgers.exports.organizations``: re-importable columns), not this list's."""

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from dangjian.access.listspec import ListSpec, column, field
from dangjian.registry.models import Organization


def _covered_badge(org):
    if org.has_party_org:
        return format_html('<span class="badge text-bg-danger">{}</span>', _("covered"))
    return format_html('<span class="badge text-bg-secondary">{}</span>', _("none"))


ORGANIZATIONS = ListSpec(
    "registry:organization_list",
    title=Organization._meta.verbose_name_plural,
    table_id="organizations",
    empty=_("No organizations match."),
    columns=[
        field(
            Organization,
            "name",
            36,
            link=lambda o: reverse("registry:organization_detail", args=[o.pk]),
        ),
        field(Organization, "uscc", 22, css="masked"),
        field(Organization, "category"),
        field(Organization, "legal_form"),
        field(Organization, "district"),
        column(
            _("party organization"),
            lambda o: o.has_party_org,
            cell=_covered_badge,
        ),
        field(Organization, "status"),
    ],
)
