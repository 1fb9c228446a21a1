"""Forms of the meeting pages: plan, record (minutes, attendance, resolutions), attachments.

The choices (party organizations, chairs, attendees) are given by the view from the one door;
the services check everything again.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.core.forms import DateInput, StyledForm
from dangjian.orglife.minutes import MAX_CHARS, check_length
from dangjian.orglife.models import Attendance, Meeting
from dangjian.orglife.queries import Expected
from dangjian.party.models import Election, Position

RESOLUTION_ROWS = 3


class TimeInput(forms.TimeInput):
    """The browser's time picker (hours and minutes)."""

    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("format", "%H:%M")
        super().__init__(attrs, **kwargs)


class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class MembersChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class PlanForm(StyledForm):
    party_organization: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("party organization"), queryset=None, empty_label=None
    )
    kind = forms.ChoiceField(label=_("kind"), choices=Meeting.Kind.choices)
    held_on = forms.DateField(label=_("date"), widget=DateInput())
    starts_at = forms.TimeField(label=_("starts at"), widget=TimeInput())
    ends_at = forms.TimeField(label=_("ends at"), widget=TimeInput())
    place = forms.CharField(label=_("place"), max_length=200)
    topic = forms.CharField(label=_("topic"), max_length=200)
    chair = MemberChoice(label=_("chaired by"), queryset=None, required=False)
    recorder = MemberChoice(label=_("recorded by"), queryset=None, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput(), required=False)

    def __init__(self, *args, party_orgs, people, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["party_organization"]).queryset = party_orgs
        if party_orgs.count() == 1:
            self.fields["party_organization"].widget = forms.HiddenInput()
        for name in ("chair", "recorder"):
            cast(forms.ModelChoiceField, self.fields[name]).queryset = people
        self.style()

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The meeting must end after it starts."))
        return data


class RecordForm(StyledForm):
    """The record of a held meeting: its details, minutes, who attended, the resolutions."""

    topic = forms.CharField(label=_("topic"), max_length=200)
    place = forms.CharField(label=_("place"), max_length=200)
    starts_at = forms.TimeField(label=_("starts at"), widget=TimeInput())
    ends_at = forms.TimeField(label=_("ends at"), widget=TimeInput())
    chair = MemberChoice(label=_("chaired by"), queryset=None)
    recorder = MemberChoice(label=_("recorded by"), queryset=None)
    minutes = forms.CharField(
        label=_("minutes"),
        max_length=MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Plain text, or simple formatting (paragraphs, bold, lists); anything else is removed."
        ),
    )
    guests: forms.ModelMultipleChoiceField = MembersChoice(
        label=_("members of other branches who attended (not counted)"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput())

    def __init__(self, *args, expected: list[Expected], people, guests, marks, **kwargs):
        super().__init__(*args, **kwargs)
        self.expected = expected
        self.existing = marks
        for name in ("chair", "recorder"):
            cast(forms.ModelChoiceField, self.fields[name]).queryset = people
        guest_field = cast(forms.ModelMultipleChoiceField, self.fields["guests"])
        guest_field.queryset = guests
        for e in expected:
            current = marks.get(e.member.pk)
            self.fields[f"status_{e.member.pk}"] = forms.ChoiceField(
                label=e.member.name,
                choices=Attendance.Status.choices,
                widget=forms.RadioSelect(attrs={"class": "btn-check"}),
                initial=current.status if current else None,
                error_messages={"required": _("Choose present or absent.")},
            )
            self.fields[f"reason_{e.member.pk}"] = forms.ChoiceField(
                label=_("reason of absence"),
                choices=[("", _("reason of absence")), *Attendance.Reason.choices],
                required=False,
                initial=current.reason if current else "",
            )
        # The service's own bound and message (not Django's generic one), and no maxlength in the
        # browser: a long paste would be cut there without a word; here it is refused, kept in
        # the form, with the reason.
        minutes = self.fields["minutes"]
        minutes.validators = [check_length]
        minutes.widget.attrs.pop("maxlength", None)
        for i in range(1, RESOLUTION_ROWS + 1):
            self.fields[f"resolution_{i}"] = forms.CharField(
                label=_("resolution"), max_length=500, required=False
            )
            for name, label in (
                ("for", _("votes for")),
                ("against", _("votes against")),
                ("abstain", _("abstentions")),
            ):
                self.fields[f"resolution_{i}_{name}"] = forms.IntegerField(
                    label=label, min_value=0, required=False
                )
        self.style()

    def clean(self):
        data = super().clean()
        for e in self.expected:
            status = data.get(f"status_{e.member.pk}")
            if status == Attendance.Status.ABSENT and not data.get(f"reason_{e.member.pk}"):
                self.add_error(f"reason_{e.member.pk}", _("Give the reason of absence."))
        return data

    # What the view hands to the service.
    def marks(self) -> dict[int, dict]:
        data = self.cleaned_data
        return {
            e.member.pk: {
                "status": data.get(f"status_{e.member.pk}"),
                "reason": data.get(f"reason_{e.member.pk}") or "",
            }
            for e in self.expected
        }

    def resolutions(self) -> list[dict]:
        data = self.cleaned_data
        rows = []
        for i in range(1, RESOLUTION_ROWS + 1):
            text = (data.get(f"resolution_{i}") or "").strip()
            if text:
                rows.append(
                    {
                        "text": text,
                        "votes_for": data.get(f"resolution_{i}_for") or 0,
                        "votes_against": data.get(f"resolution_{i}_against") or 0,
                        "abstentions": data.get(f"resolution_{i}_abstain") or 0,
                    }
                )
        return rows

    def attendance_rows(self):
        """(expected, status field, reason field, attendance so far) for the grid."""
        return [
            (
                e,
                self[f"status_{e.member.pk}"],
                self[f"reason_{e.member.pk}"],
                self.existing.get(e.member.pk),
            )
            for e in self.expected
        ]

    def resolution_rows(self):
        return [
            (
                self[f"resolution_{i}"],
                self[f"resolution_{i}_for"],
                self[f"resolution_{i}_against"],
                self[f"resolution_{i}_abstain"],
            )
            for i in range(1, RESOLUTION_ROWS + 1)
        ]


class AttachmentForm(StyledForm):
    file = forms.FileField(
        label=_("photo or PDF"),
        help_text=_("Photos are re-encoded without their location and camera data."),
    )


CANDIDATE_ROWS = 7


class ElectionForm(StyledForm):
    """An election at a general meeting: the day and place, the kind, how many with a vote
    were expected and present, and each candidate's post and votes (up to CANDIDATE_ROWS)."""

    held_on = forms.DateField(label=_("date"), widget=DateInput())
    starts_at = forms.TimeField(label=_("starts at"), widget=TimeInput(), required=False)
    ends_at = forms.TimeField(label=_("ends at"), widget=TimeInput(), required=False)
    place = forms.CharField(label=_("place"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=Election.Kind.choices)
    term_years = forms.IntegerField(
        label=_("term length (years)"),
        min_value=1,
        max_value=10,
        required=False,
        help_text=_("Empty: the rulebook's term for this party organization."),
    )
    voters_expected = forms.IntegerField(label=_("expected with a vote"), min_value=1)
    voters_present = forms.IntegerField(label=_("present with a vote"), min_value=0)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(CANDIDATE_ROWS):
            self.fields[f"candidate_{i}"] = MemberChoice(
                label=_("candidate"), queryset=people, required=False
            )
            self.fields[f"role_{i}"] = forms.ChoiceField(
                label=_("post"),
                choices=Position.Role.choices,
                initial=Position.Role.SECRETARY if i == 0 else Position.Role.MEMBER,
            )
            self.fields[f"votes_{i}"] = forms.IntegerField(
                label=_("votes"), min_value=0, required=False
            )
        self.style()

    @property
    def main_fields(self):
        return [self[n] for n in self.fields if not n.startswith(("candidate_", "role_", "votes_"))]

    @property
    def candidate_rows(self):
        return [
            (self[f"candidate_{i}"], self[f"role_{i}"], self[f"votes_{i}"])
            for i in range(CANDIDATE_ROWS)
        ]

    def candidates(self):
        data = self.cleaned_data
        return [
            (data[f"candidate_{i}"], data[f"role_{i}"], data.get(f"votes_{i}") or 0)
            for i in range(CANDIDATE_ROWS)
            if data.get(f"candidate_{i}") is not None
        ]
