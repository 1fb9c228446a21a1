"""Meeting pages: the list, planning, the record (minutes, attendance, resolutions), the
meeting's page, its files. Thin: the one door gives the objects, the services write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.access import lists, scope
from dangjian.access.decorators import requires
from dangjian.access.models import Action
from dangjian.core.audit import record_read
from dangjian.core.errors import WorkflowError
from dangjian.core.events import AuditEvent
from dangjian.core.filters import params
from dangjian.core.http import file_response
from dangjian.core.richtext import sanitise
from dangjian.orglife import quorum, services, signin
from dangjian.orglife.filters import MeetingFilter
from dangjian.orglife.forms import AttachmentForm, PlanForm, RecordForm
from dangjian.orglife.lists import MEETINGS
from dangjian.orglife.models import (
    Attendance,
    ElectionCandidate,
    Meeting,
    MeetingAttachment,
    MeetingElection,
    Resolution,
)
from dangjian.orglife.queries import Expected, expected_attendees, guest_candidates, people_of
from dangjian.party.models import PartyMember, PartyOrganization

MEETING_QS = Meeting.objects.select_related("party_organization__federation", "chair", "recorder")


def _errors(form, exc: ValidationError | WorkflowError) -> None:
    """A service's refusal shown on the form, next to its field where it names one."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        for message in getattr(exc, "messages", [str(exc)]):
            form.add_error(None, message)


def _people(user, meeting: Meeting, expected: list[Expected] | None = None):
    """Who may chair or record, as far as the user's scope reaches (``expected``: the
    meeting's expected attendees, when the view already read them)."""
    return (
        scope.members(user, Action.EDIT)
        .filter(pk__in=people_of(meeting, expected))
        .order_by("name")
    )


@login_required
def meeting_list(request):
    action = lists.scope_action(request)
    meetings = scope.meetings(request.user, action).select_related("party_organization")
    filters = MeetingFilter(params(request), meetings)
    if lists.wants_xlsx(request) and not filters.errors:
        return MEETINGS.export(request, filters.qs, filters=filters.describe())
    return render(
        request,
        "orglife/meeting_list.html",
        {
            **MEETINGS.context(request, filters.qs),
            "filters": filters.form,
            "can_plan": scope.meeting_party_organizations(request.user).exists(),
        },
    )


# A secretary keeps a few party organizations; an officer over hundreds plans from a branch's
# workspace (?party_organization=), not from a list of every branch.
CHOICES_MAX = 50


@requires(Action.EDIT)
def meeting_plan(request):
    kept = (
        scope.meeting_party_organizations(request.user)
        .filter(valid_to__isnull=True)
        .select_related("federation")
        .order_by("name")
    )
    chosen = request.POST.get("party_organization") or request.GET.get("party_organization", "")
    if chosen.isdigit() and kept.filter(pk=chosen).exists():
        choices = kept.filter(pk=chosen)
    else:
        choices = kept
    first = choices.first()
    if first is None:
        raise Http404
    if choices.count() > CHOICES_MAX:
        return redirect("orglife:workspace")
    draft = Meeting(party_organization=first, held_on=timezone.localdate())
    form = PlanForm(
        request.POST or None,
        initial={"party_organization": first.pk, "held_on": timezone.localdate()},
        party_orgs=choices,
        people=_people(request.user, draft),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        org = data.pop("party_organization")
        data.pop("version", None)
        try:
            meeting = services.plan_meeting(org, data, actor=request.user)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("The meeting was planned."))
            return redirect("orglife:meeting_detail", pk=meeting.pk)
    return render(request, "orglife/meeting_plan.html", {"form": form, "meeting": None})


@requires(Action.EDIT)
def meeting_edit(request, pk: int):
    meeting = scope.get(request.user, MEETING_QS, pk, Action.EDIT)
    initial = {
        "party_organization": meeting.party_organization_id,
        **{f: getattr(meeting, f) for f in services.PLAN_FIELDS},
        "version": meeting.version,
    }
    form = PlanForm(
        request.POST or None,
        initial=initial,
        party_orgs=PartyOrganization.objects.filter(pk=meeting.party_organization_id),
        people=_people(request.user, meeting),
    )
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in services.PLAN_FIELDS}
        try:
            services.edit_meeting(
                meeting, data, version=form.cleaned_data["version"], actor=request.user
            )
        except (ValidationError, WorkflowError) as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("The meeting was changed."))
            return redirect("orglife:meeting_detail", pk=meeting.pk)
    return render(request, "orglife/meeting_plan.html", {"form": form, "meeting": meeting})


@requires(Action.EDIT)
def meeting_record(request, pk: int):
    meeting = scope.get(request.user, MEETING_QS, pk, Action.EDIT)
    everyone = expected_attendees(meeting)
    # Which of them the user's scope reaches: asked of those expected only (the scope of an
    # officer or the administrator holds every member of the federation).
    visible = set(
        scope.members(request.user, Action.EDIT)
        .filter(pk__in=[e.member.pk for e in everyone])
        .values_list("pk", flat=True)
    )
    expected = [e for e in everyone if e.member.pk in visible]
    marks = {a.member_id: a for a in meeting.attendance.all()}
    guests = scope.members(request.user, Action.EDIT).filter(
        pk__in=guest_candidates(meeting).values("pk")
    )
    initial = {
        **{f: getattr(meeting, f) for f in services.RECORD_FIELDS},
        "guests": [pk for pk, a in marks.items() if a.role == Attendance.Role.GUEST],
        "version": meeting.version,
    }
    for i, resolution in enumerate(meeting.resolutions.all()[:3], start=1):
        initial[f"resolution_{i}"] = resolution.text
        initial[f"resolution_{i}_for"] = resolution.votes_for
        initial[f"resolution_{i}_against"] = resolution.votes_against
        initial[f"resolution_{i}_abstain"] = resolution.abstentions
    form = RecordForm(
        request.POST or None,
        initial=initial,
        expected=expected,
        people=_people(request.user, meeting, everyone),
        guests=guests,
        marks=marks,
    )
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in services.RECORD_FIELDS if f in form.cleaned_data}
        data.pop("kind", None)
        data.pop("held_on", None)
        try:
            services.record_held(
                meeting,
                data,
                version=form.cleaned_data["version"],
                marks=form.marks(),
                guests=[m.pk for m in form.cleaned_data["guests"]],
                resolutions=form.resolutions(),
                expected=everyone,
                actor=request.user,
            )
        except (ValidationError, WorkflowError) as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("The meeting's record was saved."))
            return redirect("orglife:meeting_detail", pk=meeting.pk)
    return render(
        request,
        "orglife/meeting_record.html",
        {"form": form, "meeting": meeting},
    )


@login_required
def meeting_detail(request, pk: int):
    meeting, rights = scope.get_with_rights(request.user, MEETING_QS, pk)
    can_edit = Action.EDIT in rights
    attendance = (
        scope.visible(Attendance, request.user)
        .filter(meeting=meeting)
        .select_related("member")
        .order_by("role", "member__name")
    )
    sees_people = bool(scope.personal_assignments(request.user, Action.VIEW))
    own = scope.own_member_ids(request.user)
    window = signin.window(meeting)
    now = timezone.now()
    context = {
        "meeting": meeting,
        "can_edit": can_edit,
        "sees_people": sees_people,
        "attendance": attendance,
        "full_attendance": can_edit or Action.VIEW_PERSONAL in rights and not own,
        "own_attendance": [a for a in attendance if a.member_id in own],
        "expected_count": len(expected_attendees(meeting)) if meeting.is_planned else None,
        "minutes": sanitise(meeting.minutes),
        "explanation": quorum.explanation(meeting),
        **_election(request.user, meeting),
        "resolutions": scope.visible(Resolution, request.user).filter(meeting=meeting),
        "attachments": scope.visible(MeetingAttachment, request.user).filter(meeting=meeting),
        "attachment_form": AttachmentForm() if can_edit else None,
        "window": window,
        "show_qr": can_edit and window is not None and now <= window[1],
        "may_sign_in": bool(own) and window is not None and window[0] <= now <= window[1],
    }
    return render(request, "orglife/meeting_detail.html", context)


def _election(user, meeting: Meeting) -> dict:
    """The election held at the meeting, if any: its numbers, why it is (not) valid, and the
    candidates with their votes where the user may see the people."""
    election = scope.visible(MeetingElection, user).filter(meeting=meeting).first()
    if election is None:
        return {}
    return {
        "election": election,
        "election_explanation": quorum.election_explanation(election),
        "candidates": scope.visible(ElectionCandidate, user)
        .filter(meeting_election=election)
        .select_related("member"),
    }


@requires(Action.EDIT)
@require_POST
def meeting_delete(request, pk: int):
    meeting = scope.get(request.user, MEETING_QS, pk, Action.EDIT)
    if request.POST.get("confirm") != "yes":  # the button's own field: an empty POST does nothing
        return redirect("orglife:meeting_detail", pk=pk)
    if not meeting.is_planned:
        messages.error(request, _("Only a planned meeting can be deleted here."))
        return redirect("orglife:meeting_detail", pk=pk)
    services.delete_meeting(meeting, actor=request.user)
    messages.success(request, _("The planned meeting was deleted."))
    return redirect("orglife:meeting_list")


# -- files -----------------------------------------------------------------------------------


@requires(Action.EDIT)
@require_POST
def attachment_add(request, pk: int):
    meeting = scope.get(request.user, MEETING_QS, pk, Action.EDIT)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_attachment(meeting, form.cleaned_data["file"], actor=request.user)
        except ValidationError as exc:
            for text in exc.messages:
                messages.error(request, text)
        else:
            messages.success(request, _("The file was added."))
    else:
        for field_errors in form.errors.values():
            for error in field_errors:
                messages.error(request, str(error))
    return redirect("orglife:meeting_detail", pk=pk)


@login_required
def attachment_download(request, pk: int, file_pk: int):
    attachment = scope.get(
        request.user, MeetingAttachment.objects.filter(meeting_id=pk), file_pk, Action.VIEW
    )
    record_read(
        request.user, AuditEvent.FILE_DOWNLOAD, attachment.meeting, file=attachment.file.name
    )
    content_type = (
        "application/pdf" if attachment.kind == MeetingAttachment.Kind.PDF else "image/jpeg"
    )
    return file_response(
        attachment.file,
        content_type=content_type,
        as_attachment=attachment.kind == MeetingAttachment.Kind.PDF,
        filename=attachment.original_name,
    )


@requires(Action.EDIT)
@require_POST
def attachment_remove(request, pk: int, file_pk: int):
    attachment = scope.get(
        request.user, MeetingAttachment.objects.filter(meeting_id=pk), file_pk, Action.EDIT
    )
    if request.POST.get("confirm") != "yes":
        return redirect("orglife:meeting_detail", pk=pk)
    services.remove_attachment(attachment, actor=request.user)
    messages.success(request, _("The file was removed."))
    return redirect("orglife:meeting_detail", pk=pk)


def member_of(user) -> PartyMember | None:
    """The ledger record the user signs in as (a party member's sign-in), if any."""
    own = scope.own_member_ids(user)
    return scope.members(user).filter(pk__in=own).first() if own else None
