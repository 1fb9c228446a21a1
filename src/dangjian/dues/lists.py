"""The dues app's lists: columns declared once for the page and the export."""

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.access import scope
from dangjian.access.listspec import ListSpec, column, field
from dangjian.access.models import Action
from dangjian.core.money import yuan
from dangjian.dues.models import HandIn
from dangjian.party.models import PartyOrganization


def _fen(name):
    return lambda obj: yuan(getattr(obj, name) or 0)


def _receive_link(h):
    if h.received_on is not None:
        return ""
    return format_html(
        '<a class="btn btn-sm btn-outline-danger" href="{}">{}</a>',
        reverse("dues:hand_in_receive", args=[h.pk]),
        _("record receipt"),
    )


def _may_receive_somewhere(request):
    """Federation officers, and secretaries of a party organization with organizations below."""
    user = request.user
    return scope.can(user, Action.APPROVE) or (
        scope.dues_branches(user, Action.EDIT).filter(children__isnull=False).exists()
    )


# The party organizations whose dues the user keeps, with this month's figures (annotated by
# the view: members owing, members paid, amounts).
BRANCHES = ListSpec(
    "dues:index",
    title=_("Party dues"),
    table_id="dues-branches",
    columns=[
        field(
            PartyOrganization,
            "name",
            36,
            link=lambda p: reverse("dues:branch", args=[p.pk]),
        ),
        field(PartyOrganization, "kind", 12),
        column(_("members owing this month"), lambda p: p.due_count or 0, 12, css="text-end"),
        column(_("members paid this month"), lambda p: p.paid_count or 0, 12, css="text-end"),
        column(_("due this month (yuan)"), _fen("due_total"), 14, css="text-end"),
        column(_("paid this month (yuan)"), _fen("paid_total"), 14, css="text-end"),
    ],
)

HAND_INS = ListSpec(
    "dues:hand_ins",
    title=_("Dues hand-ins"),
    table_id="dues-hand-ins",
    key=("-first_month", "party_organization__name"),
    columns=[
        field(HandIn, "party_organization", 32),
        column(pgettext_lazy("dues", "months"), lambda h: h.months_label, 20),
        column(_("amount handed in (yuan)"), _fen("amount_fen"), 14, css="text-end"),
        field(HandIn, "handed_on", 12, css="text-nowrap"),
        field(HandIn, "received_on", 12, css="text-nowrap", empty=_("not yet received")),
        field(HandIn, "statement", 60, html=False),
        column(
            "",
            lambda h: "",
            8,
            export=False,
            cell=_receive_link,
            empty="",
            when=_may_receive_somewhere,
        ),
    ],
)
