"""The party app's lists: columns declared once for the page and the export (core.lists)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.access.listspec import ListSpec, column, field
from dangjian.party.models import PartyMember, PartyOrganization
from dangjian.party.term_queries import Term
from dangjian.rulebook.periods import months_between

PARTY_ORGANIZATIONS = ListSpec(
    "party:party_organization_list",
    title=PartyOrganization._meta.verbose_name_plural,
    table_id="party-organizations",
    columns=[
        field(
            PartyOrganization,
            "name",
            36,
            link=lambda p: reverse("party:party_organization_detail", args=[p.pk]),
        ),
        field(PartyOrganization, "kind", 12),
        field(PartyOrganization, "formation_mode", 22),
        field(PartyOrganization, "parent", 30),
        field(PartyOrganization, "federation", 26, html=False),
        field(PartyOrganization, "approval_doc_no", 22, html=False),
        field(PartyOrganization, "approval_date", 12, html=False),
        column(_("established on"), lambda p: p.valid_from, 12, css="text-nowrap", empty=""),
        # From the election history (party.term_queries.with_term_in_force annotates them).
        column(
            _("current term started on"),
            lambda p: getattr(p, "term_started_on", None),
            12,
            html=False,
            empty="",
        ),
        column(
            _("term length (years)"),
            lambda p: getattr(p, "term_years", None),
            10,
            html=False,
            empty="",
        ),
        field(PartyOrganization, "status", 10),
    ],
)


def _full_or_probationary(m):
    return _("full member") if m.full_member_on else _("probationary member")


# The members on a party organization's page (the detail's own rows, a page at a time).
ORGANIZATION_MEMBERS = ListSpec(
    "party:party_organization_detail",
    cursor_param="members_after",
    table_css="table table-sm mb-0",
    headers=False,
    columns=[
        field(PartyMember, "name", link=lambda m: reverse("party:member_detail", args=[m.pk])),
        column(_("ID number"), lambda m: m.id_number_masked, css="masked"),
        column(_("status"), _full_or_probationary),
        field(PartyMember, "joined_party_on", css="text-nowrap", empty=""),
    ],
    baseline_args=lambda: [PartyOrganization.objects.order_by("pk").values("pk")[:1].get()["pk"]],
)


# -- terms ending soon (换届提醒): party.term_queries.terms_to_renew annotates the term in force.


def _term(p) -> Term:
    return Term(p.term_started_on, p.term_years, p.term_election, p.extended_until)


def _months_left(p):
    """Whole months from today to the deadline; past it, how long it is overdue."""
    today, deadline = timezone.localdate(), _term(p).deadline
    if deadline < today:
        return _("overdue by %(days)s days") % {"days": (today - deadline).days}
    return months_between(today, deadline)


TERMS_TO_RENEW = ListSpec(
    "party:terms_to_renew",
    title=_("Terms ending soon"),
    table_id="terms-to-renew",
    columns=[
        field(
            PartyOrganization,
            "name",
            36,
            link=lambda p: reverse("party:party_organization_detail", args=[p.pk]),
        ),
        field(PartyOrganization, "kind", 12),
        field(PartyOrganization, "parent", 30),
        column(_("current term started on"), lambda p: p.term_started_on, 12, css="text-nowrap"),
        column(_("term length (years)"), lambda p: p.term_years, 10),
        column(_("term ends on"), lambda p: _term(p).ends_on, 12, css="text-nowrap"),
        column(_("extended until"), lambda p: p.extended_until, 12, css="text-nowrap"),
        column(_("months left"), _months_left, 12, css="text-nowrap"),
    ],
)


def _branch(m):
    return m.relation_party_organization or m.relation_external


def _situation(m):
    words = [_("flowing member")] if m.is_flowing else []
    if m.is_lost_contact:
        words.append(_("lost contact"))
    return "、".join(str(w) for w in words)


# The member roster (党员名册): the members in the viewer's scope, ID numbers masked on the page
# and in the export alike (the clear number is revealed one member at a time, logged).
MEMBERS = ListSpec(
    "party:member_list",
    title=_("Member roster"),
    table_id="members",
    key=("name", "id"),
    columns=[
        field(PartyMember, "name", 12, link=lambda m: reverse("party:member_detail", args=[m.pk])),
        column(_("ID number"), lambda m: m.id_number_masked, 20, css="masked"),
        field(PartyMember, "gender", 6),
        column(_("status"), _full_or_probationary, 10),
        field(PartyMember, "joined_party_on", 12, css="text-nowrap"),
        field(PartyMember, "full_member_on", 12, css="text-nowrap", html=False),
        column(_("organizational relation held by"), _branch, 30),
        # Annotated by the view: the unit employing the member today, among those it may see.
        column(_("unit"), lambda m: m.unit_name, 30),
        column(_("situation"), _situation, 12),
        field(PartyMember, "left_on", 12, html=False),
    ],
)
