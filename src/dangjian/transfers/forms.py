"""The transfers' forms: issue a letter, receive one from outside, accept, record the receipt,
return or cancel; register a flowing member, record a contact, record a standing decision."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.forms import StyledForm
from dangjian.party.models import ContactRecord, PartyMember, PartyOrganization, StandingDecision
from dangjian.transfers.models import Transfer


class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        where = obj.relation_party_organization or obj.relation_external or "—"
        return f"{obj.name}（{where}）"


def _destination(form, cleaned):
    org, name = cleaned.get("to_party_organization"), (cleaned.get("to_name") or "").strip()
    if bool(org) == bool(name):
        raise ValidationError(
            _("Choose the receiving party organization, or type its full name — one of the two.")
        )
    if org:
        return org
    # A party organization of the system in another federation is found by its exact name;
    # any other name is a party organization outside the system (printed letter).
    found = PartyOrganization.objects.filter(name=name, valid_to__isnull=True).first()
    return found or name


class IssueForm(StyledForm):
    member = MemberChoice(label=_("party member"), queryset=PartyMember.objects.none())
    to_party_organization = forms.ModelChoiceField(
        label=_("to a party organization in my scope"),
        queryset=PartyOrganization.objects.none(),
        required=False,
    )
    to_name = forms.CharField(
        label=_("or the full name of the receiving party organization"),
        max_length=200,
        required=False,
        help_text=_(
            "A party organization of another federation in the system is found by its exact "
            "full name; any other name is outside the system and gets a printed letter."
        ),
    )
    issued_on = forms.DateField(label=_("letter issued on"), initial=timezone.localdate)
    valid_days = forms.IntegerField(label=_("valid for (days)"), min_value=1, required=False)
    dues_paid_to = forms.DateField(
        label=_("dues paid up to (month)"),
        required=False,
        help_text=_("Empty: the last month paid in the dues ledger."),
    )
    reason = forms.CharField(label=_("reason for the transfer"), max_length=200, required=False)
    contact_note = forms.CharField(
        label=_("contact of the issuing committee"), max_length=200, required=False
    )

    def __init__(self, *args, members, party_orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["to_party_organization"].queryset = party_orgs

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            cleaned["to"] = _destination(self, cleaned)
        return cleaned


class ReceiveForm(StyledForm):
    member = MemberChoice(label=_("party member"), queryset=PartyMember.objects.none())
    to_party_organization = forms.ModelChoiceField(
        label=_("receiving party organization"), queryset=PartyOrganization.objects.none()
    )
    from_external = forms.CharField(label=_("issued by (party organization)"), max_length=200)
    external_letter_no = forms.CharField(label=_("number of the letter received"), max_length=50)
    issued_on = forms.DateField(label=_("letter issued on"))
    valid_days = forms.IntegerField(label=_("valid for (days)"), min_value=1)
    dues_paid_to = forms.DateField(label=_("dues paid up to (month)"), required=False)
    accepted_on = forms.DateField(label=_("accepted on"), initial=timezone.localdate)

    def __init__(self, *args, members, party_orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["to_party_organization"].queryset = party_orgs


class AcceptForm(StyledForm):
    on = forms.DateField(label=_("accepted on"), initial=timezone.localdate)
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReceiptForm(StyledForm):
    received_on = forms.DateField(label=_("receipt came back on"), initial=timezone.localdate)
    accepted_on = forms.DateField(
        label=_("accepted on (as on the receipt)"),
        required=False,
        help_text=_("Empty: the day the receipt came back."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReceiptSentForm(StyledForm):
    sent_on = forms.DateField(label=_("our receipt sent on"), initial=timezone.localdate)
    version = forms.IntegerField(widget=forms.HiddenInput)


class CloseForm(StyledForm):
    status = forms.ChoiceField(
        label=_("outcome"),
        choices=[
            (Transfer.Status.RETURNED, Transfer.Status.RETURNED.label),
            (Transfer.Status.CANCELLED, Transfer.Status.CANCELLED.label),
        ],
    )
    reason = forms.CharField(label=_("reason"), max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput)


class NationalForm(StyledForm):
    ref = forms.CharField(label=_("reference in the national system"), max_length=100)
    on = forms.DateField(label=_("completed in the national system on"), initial=timezone.localdate)
    version = forms.IntegerField(widget=forms.HiddenInput)


class FlowingForm(StyledForm):
    member = MemberChoice(label=_("party member"), queryset=PartyMember.objects.none())
    since = forms.DateField(label=_("away since"))
    whereabouts = forms.CharField(label=_("where the member is"), max_length=200)
    certificate_no = forms.CharField(
        label=_("flowing member's activity certificate number"), max_length=50, required=False
    )
    host = forms.ModelChoiceField(
        label=_("host party organization"),
        queryset=PartyOrganization.objects.none(),
        required=False,
    )
    host_name = forms.CharField(
        label=_("or the host party organization's name (outside the system)"),
        max_length=200,
        required=False,
    )

    def __init__(self, *args, members, party_orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["host"].queryset = party_orgs


class ContactForm(StyledForm):
    on = forms.DateField(label=_("date"), initial=timezone.localdate)
    method = forms.ChoiceField(label=_("method"), choices=ContactRecord.Method.choices)
    reached = forms.TypedChoiceField(
        label=_("result"),
        coerce=lambda v: v == "yes",
        choices=[("yes", _("reached the member")), ("no", _("could not reach the member"))],
    )
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class DecisionForm(StyledForm):
    kind = forms.ChoiceField(label=_("decision"), choices=StandingDecision.Kind.choices)
    decided_on = forms.DateField(label=_("decided on"), initial=timezone.localdate)
    decided_by = forms.CharField(label=_("decided by (body)"), max_length=200)
    document_no = forms.CharField(label=_("document number"), max_length=100, required=False)
    reason = forms.CharField(
        label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
