"""Forms of the joining, formation and instructor pages. Errors are Chinese and sit next to the
field; identifiers are checked with ``core.validators`` and stored as they return them."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.applications.checks import joint_branch_max_units
from dangjian.applications.models import Application, FormationCase
from dangjian.applications.services import MEMBER_FIELDS, UNIT_FIELDS
from dangjian.core.forms import Bootstrap, Bounded
from dangjian.core.uploads import check_upload
from dangjian.core.validators import (
    id_number_gender,
    normalize_code,
    not_in_future,
    party_date,
    validate_id_number,
    validate_uscc,
)
from dangjian.inspections.forms import visit_founding_check
from dangjian.party.models import Instructor, PartyMember, PartyOrganization
from dangjian.registry.models import Membership, Organization


def _phone(value: str) -> str:
    value = normalize_code(value).replace("+86", "")
    if value and not (value.isdigit() and 7 <= len(value) <= 12):
        raise ValidationError(_("Enter a phone number of 7 to 12 digits."), code="phone")
    return value


def _not_future(value):
    not_in_future(value)
    return value


def live_check(kind: str, name: str) -> dict:
    """htmx attributes: check the value as it is typed (public.validate_field)."""
    return {
        "autocomplete": "off",
        "hx-post": reverse("applications:validate_field", args=[kind]),
        "hx-trigger": "input changed delay:600ms, change",
        "hx-target": "next .live-feedback",
        "hx-params": name,
        "hx-sync": "this:replace",
    }


# -- joining ---------------------------------------------------------------------------------


class ApplicationForm(Bootstrap, forms.ModelForm):
    class Meta:
        model = Application
        fields = UNIT_FIELDS
        widgets = {"statement": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, federation=None, **kwargs):
        self.federation = federation
        super().__init__(*args, **kwargs)
        self.fields["contact_phone"] = forms.CharField(
            label=Application._meta.get_field("contact_phone").verbose_name,
            max_length=30,
            widget=forms.TextInput(attrs=self.fields["contact_phone"].widget.attrs),
        )
        self.fields["uscc"].widget.attrs.update(live_check("uscc", self.add_prefix("uscc")))

    def clean_uscc(self):
        uscc = validate_uscc(self.cleaned_data["uscc"])
        federation = self.federation
        if (
            federation
            and Membership.objects.current()
            .filter(organization__uscc=uscc, federation__path__startswith=federation.path)
            .exists()
        ):
            raise ValidationError(
                _("A unit with this credit code is already a member of the federation."),
                code="uscc_member",
            )
        return uscc

    def clean_contact_phone(self):
        return _phone(self.cleaned_data["contact_phone"])

    def clean_founded_on(self):
        return _not_future(self.cleaned_data.get("founded_on"))


class MemberForm(Bootstrap, forms.Form):
    name = forms.CharField(label=_("full name"), max_length=50)
    # A blank first choice, so an untouched extra row stays unchanged (and is skipped).
    gender = forms.ChoiceField(label=_("gender"), choices=[("", "—"), *PartyMember.Gender.choices])
    ethnicity = forms.CharField(label=_("ethnicity"), max_length=20, initial="汉族")
    id_number = forms.CharField(label=_("ID number"), max_length=30)
    phone = forms.CharField(label=_("phone"), max_length=30, required=False)
    education = forms.ChoiceField(
        label=_("education"),
        choices=[("", "—"), *PartyMember.Education.choices],
        required=False,
    )
    joined_party_on = forms.DateField(
        label=_("joined the party on"), validators=[party_date, not_in_future]
    )
    full_member_on = forms.DateField(
        label=_("full membership on"),
        validators=[party_date, not_in_future],
        required=False,
        help_text=_("leave empty for a probationary member"),
    )
    relation_held_by = forms.CharField(
        label=_("organizational relation held by"), max_length=200, required=False
    )
    job_title = forms.CharField(label=_("job title"), max_length=100, required=False)
    employed_since = forms.DateField(label=_("employed since"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["id_number"].widget.attrs.update(
            live_check("id_number", self.add_prefix("id_number"))
        )

    def clean_id_number(self):
        return validate_id_number(self.cleaned_data["id_number"])

    def clean_phone(self):
        return _phone(self.cleaned_data.get("phone", ""))

    def clean_joined_party_on(self):
        return _not_future(self.cleaned_data["joined_party_on"])

    def clean_full_member_on(self):
        return _not_future(self.cleaned_data.get("full_member_on"))

    def clean(self):
        data = super().clean()
        joined, full = data.get("joined_party_on"), data.get("full_member_on")
        if joined and full and full < joined:
            self.add_error(
                "full_member_on",
                _("Full membership cannot come before joining the party."),
            )
        id_number, gender = data.get("id_number"), data.get("gender")
        if id_number and gender and id_number_gender(id_number) != gender:
            self.add_error("gender", _("The gender does not match the ID number (17th digit)."))
        return data


class BaseMemberFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        seen = {}
        for form in self.forms:
            if not form.has_changed() or self._should_delete_form(form):
                continue
            number = form.cleaned_data.get("id_number") if hasattr(form, "cleaned_data") else None
            if not number:
                continue
            if number in seen:
                form.add_error(
                    "id_number",
                    _("The same ID number is already entered in row %(row)d.")
                    % {"row": seen[number]},
                )
            else:
                seen[number] = self.forms.index(form) + 1

    def rows(self) -> list[dict]:
        return [
            {k: form.cleaned_data.get(k) for k in MEMBER_FIELDS}
            for form in self.forms
            if form.has_changed()
            # Django's own test for a ticked DELETE box; django-stubs omits this private method.
            and not self._should_delete_form(form)  # type: ignore[attr-defined]
            and getattr(form, "cleaned_data", None)
        ]


MemberFormSet = forms.formset_factory(
    MemberForm,
    formset=BaseMemberFormSet,
    extra=2,
    can_delete=True,
    max_num=500,
    validate_max=True,
)


def member_initial(application) -> list[dict]:
    return [{k: getattr(m, k) for k in MEMBER_FIELDS} for m in application.members.all()]


class MembersUploadForm(forms.Form):
    members_file = forms.FileField(
        label=_("Excel file of party members"),
        help_text=_("same columns as the template; the rows replace those on the page"),
    )


class VersionForm(Bounded, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReasonForm(Bootstrap, VersionForm):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ApproveForm(Bootstrap, VersionForm):
    role = forms.ChoiceField(label=_("membership role"), choices=Membership.Role.choices)
    joined_on = forms.DateField(label=_("member since"), initial=timezone.localdate)

    def clean_joined_on(self):
        return _not_future(self.cleaned_data["joined_on"])


class InvitationForm(Bootstrap, forms.Form):
    expires_on = forms.DateField(
        label=_("expires on"),
        initial=lambda: timezone.localdate() + datetime.timedelta(days=90),
    )
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def clean_expires_on(self):
        value = self.cleaned_data["expires_on"]
        if value < timezone.localdate():
            raise ValidationError(_("The expiry date must not be in the past."), code="past")
        return value


# -- formation ---------------------------------------------------------------------------------


class FileField(forms.FileField):
    """A file checked by content (type and size) when the form is cleaned."""

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload and hasattr(upload, "size"):
            check_upload(upload)
        return upload


class FormationCaseForm(Bootstrap, forms.ModelForm):
    units = forms.ModelMultipleChoiceField(
        label=_("covered units"),
        queryset=Organization.objects.none(),
    )
    approval_upload = FileField(
        label=_("approval document file"),
        required=False,
        help_text=_("PDF, Word (.docx), OFD, JPG or PNG; at most 10 MB"),
    )

    class Meta:
        model = FormationCase
        fields = [
            "name",
            "kind",
            "mode",
            "parent",
            "established_on",
            "approval_doc_no",
            "approval_date",
            "secretary",
            "instructor",
            "note",
        ]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, organizations, party_organizations, members, instructors, **kw):
        super().__init__(*args, **kw)
        # A party organization cannot be founded or approved before the party was.
        for name in ("established_on", "approval_date"):
            self.fields[name].validators.append(party_date)
        self.fields["units"].queryset = organizations
        self.fields["parent"].queryset = party_organizations.exclude(
            kind=PartyOrganization.Kind.JOINT_BRANCH
        ).exclude(kind=PartyOrganization.Kind.BRANCH)
        self.fields["parent"].required = True
        self.fields["secretary"].queryset = members
        self.fields["instructor"].queryset = instructors
        if self.instance.pk:
            self.initial.setdefault("units", list(self.instance.units.all()))
        self.fields["units"].widget.attrs["size"] = 8
        # The cap is the rulebook's, with the case's federation's override.
        self.joint_max = joint_branch_max_units(getattr(self.instance, "federation", None))
        self.fields["units"].help_text = _("a joint branch covers 2 to %(max)d units") % {
            "max": self.joint_max
        }

    def clean(self):
        data = super().clean()
        units = data.get("units") or []
        if data.get("kind") == PartyOrganization.Kind.JOINT_BRANCH and len(units) > self.joint_max:
            self.add_error(
                "units",
                _("A joint party branch may cover at most %(max)d units; %(count)d were chosen.")
                % {"max": self.joint_max, "count": len(units)},
            )
        day, approved = data.get("established_on"), data.get("approval_date")
        if day and approved and day < approved:
            self.add_error("established_on", _("It cannot be established before its approval."))
        return data


class OpenCaseForm(Bootstrap, forms.Form):
    name = forms.CharField(label=_("name of the party organization"), max_length=200)
    kind = forms.ChoiceField(label=_("kind"), choices=FormationCase.KINDS)
    mode = forms.ChoiceField(
        label=_("formation mode"), choices=PartyOrganization.FormationMode.choices
    )
    units = forms.ModelMultipleChoiceField(
        label=_("covered units"), queryset=Organization.objects.none()
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = organizations
        self.fields["units"].widget.attrs["size"] = 8
        # The joint-branch cap depends on the units' federation, known only after cleaning:
        # services.open_formation_case checks it and the view shows its error on this field.


# -- instructors -------------------------------------------------------------------------------


class InstructorForm(Bootstrap, forms.ModelForm):
    notice_upload = FileField(
        label=_("appointment notice file"),
        required=False,
        help_text=_("PDF, Word (.docx), OFD, JPG or PNG; at most 10 MB"),
    )

    class Meta:
        model = Instructor
        fields = [
            "name",
            "kind",
            "phone",
            "dispatched_by",
            "notice_no",
            "notice_date",
            "valid_from",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["notice_no"].required = True
        self.fields["notice_date"].required = True
        self.fields["phone"].widget = forms.TextInput(attrs={"class": "form-control"})

    def clean_phone(self):
        return _phone(self.cleaned_data.get("phone", ""))

    def clean(self):
        data = super().clean()
        notice, start = data.get("notice_date"), data.get("valid_from")
        if notice and start and start < notice:
            self.add_error("valid_from", _("The appointment cannot start before its notice."))
        return data


class AssignmentForm(Bootstrap, forms.Form):
    organization = forms.ModelChoiceField(label=_("unit"), queryset=Organization.objects.none())
    notice_no = forms.CharField(label=_("dispatch notice number"), max_length=100)
    notice_date = forms.DateField(label=_("dispatch notice date"))
    valid_from = forms.DateField(label=_("valid from"), initial=timezone.localdate)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class EndAssignmentForm(Bootstrap, forms.Form):
    valid_to = forms.DateField(label=_("last day"), initial=timezone.localdate)


class VisitForm(Bootstrap, forms.Form):
    organization = forms.ModelChoiceField(label=_("unit"), queryset=Organization.objects.none())
    visited_on = forms.DateField(label=_("visited on"), initial=timezone.localdate)
    visitors = forms.CharField(label=_("visitors"), max_length=200)
    findings = forms.CharField(label=_("what was found"), widget=forms.Textarea(attrs={"rows": 3}))
    follow_up = forms.CharField(
        label=_("follow-up"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    unreachable_at_address = forms.BooleanField(
        label=_("unreachable at the registered address"), required=False
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations

    def clean_visited_on(self):
        return _not_future(self.cleaned_data["visited_on"])

    def clean(self):
        data = super().clean()
        visit_founding_check(self, data)
        return data
