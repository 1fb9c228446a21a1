"""The transfers app's lists: columns declared once for the page and the export."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.access.listspec import ListSpec, column, field
from dangjian.party.models import FlowingPeriod, PartyMember
from dangjian.transfers.models import Transfer


def _status(t):
    if t.is_pending and t.expired_on(_today()):
        return _("expired, not accepted")
    return t.get_status_display()


def _today():
    from django.utils import timezone

    return timezone.localdate()


TRANSFERS = ListSpec(
    "transfers:index",
    title=_("Transfers of the organizational relation"),
    table_id="transfers",
    key=("-issued_on", "-id"),
    columns=[
        column(
            _("letter number"),
            lambda t: t.letter_no or t.external_letter_no,
            22,
            link=lambda t: reverse("transfers:detail", args=[t.pk]),
        ),
        column(_("party member"), lambda t: t.member.name, 12),
        column(_("transferred from"), lambda t: t.from_name, 30),
        column(_("transferred to"), lambda t: t.to_name, 30),
        field(Transfer, "issued_on", 12, css="text-nowrap"),
        column(_("valid until"), lambda t: t.valid_until, 12, css="text-nowrap"),
        column(_("status"), _status, 14),
        field(Transfer, "accepted_on", 12, css="text-nowrap"),
        field(Transfer, "receipt_on", 12, css="text-nowrap"),
        field(Transfer, "national_ref", 16, html=False),
    ],
)


def _host(f):
    return f.host_name  # annotated by the view: named only where the user sees it


FLOWING = ListSpec(
    "transfers:flowing",
    title=_("Flowing members"),
    table_id="flowing",
    key=("-valid_from", "-id"),
    columns=[
        column(
            _("party member"),
            lambda f: f.member.name,
            12,
            link=lambda f: reverse("transfers:member", args=[f.member_id]),
        ),
        column(
            _("own branch"),
            lambda f: f.member.relation_party_organization or f.member.relation_external,
            30,
        ),
        field(FlowingPeriod, "whereabouts", 24),
        field(FlowingPeriod, "certificate_no", 16),
        column(_("host party organization"), _host, 30),
        field(FlowingPeriod, "valid_from", 12, css="text-nowrap"),
        field(FlowingPeriod, "valid_to", 12, css="text-nowrap"),
    ],
)


OUT_OF_CONTACT = ListSpec(
    "transfers:lost",
    title=_("Members out of contact"),
    table_id="out-of-contact",
    key=("name", "id"),
    columns=[
        field(
            PartyMember,
            "name",
            12,
            link=lambda m: reverse("transfers:member", args=[m.pk]),
        ),
        column(
            _("branch"),
            lambda m: m.relation_party_organization or m.relation_external,
            30,
        ),
        column(_("last meeting attended"), lambda m: m.last_attended, 14, css="text-nowrap"),
        column(_("last dues paid"), lambda m: m.last_paid, 14, css="text-nowrap"),
        column(_("last reached"), lambda m: m.last_reached, 14, css="text-nowrap"),
        column(_("last contact"), lambda m: m.last_contact, 14, css="text-nowrap"),
    ],
)
