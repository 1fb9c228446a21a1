"""Submitters write their case; owners read submitted ones (with names — only reviewers are blind)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.access import scope as access_scope
from dangjian.access.models import Action
from dangjian.core.audit import record_read
from dangjian.core.events import AuditEvent

from .. import access_rules, services, text
from ..forms import AttachmentForm, FigureForm, ImageForm, PullFiguresForm
from ..models import Campaign, Submission
from . import file_response
from .campaigns import _errors


def _own(request, pk) -> Submission:
    return access_scope.get(
        request.user, Submission.objects.select_related("campaign"), pk, Action.EDIT
    )


def _readable(request, pk) -> Submission:
    return access_scope.get(request.user, Submission.objects.select_related("campaign"), pk)


@login_required
@require_POST
def start(request, campaign_pk):
    campaign = access_scope.get_visible_or_404(
        access_scope.visible(Campaign, request.user), pk=campaign_pk
    )
    choices = {f"org-{o.pk}": o for o in access_rules.submitting_units(request.user)}
    choices |= {f"fed-{f.pk}": f for f in access_rules.submitting_federations(request.user)}
    submitter = choices.get(request.POST.get("submitter", ""))
    if (
        submitter is None
        or not access_rules.campaigns_open_to(submitter).filter(pk=campaign.pk).exists()
    ):
        raise Http404
    try:
        submission = services.create_submission(
            campaign,
            submitter,
            actor=request.user,
            title=request.POST.get("title", "").strip() or _("Untitled case"),
        )
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("cases:campaign_detail", pk=campaign.pk)
    return redirect("cases:submission", pk=submission.pk)


def case_context(submission: Submission, *, blind_names=None) -> dict:
    """Sections sanitised (and, for reviewers, with the unit's name taken out)."""
    names = blind_names or []

    def show(value):
        return text.redact(text.sanitise(value), names) if names else text.sanitise(value)

    sections = [
        (
            name,
            show(submission.sections.get(name, "")),
            text.word_count(submission.sections.get(name, "")),
        )
        for name in submission.campaign.sections
    ]
    return {
        "sections": sections,
        "figure_rows": [
            (f, text.redact(f.label, names), text.redact(f.value, names))
            for f in submission.figures.all()
        ],
        "images": submission.images.all(),
        "attachments": list(enumerate(submission.attachments.all(), start=1)),
    }


@login_required
def submission(request, pk):
    sub, rights = access_scope.get_with_rights(
        request.user, Submission.objects.select_related("campaign"), pk
    )
    own = Action.EDIT in rights
    campaign = sub.campaign
    editing = own and sub.is_editable and campaign.is_open
    if request.method == "POST" and editing:
        try:
            services.save_draft(
                sub,
                actor=request.user,
                title=request.POST.get("title"),
                category=request.POST.get("category"),
                sections={
                    name: request.POST.get(f"section-{i}", "")
                    for i, name in enumerate(campaign.sections)
                },
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Draft saved."))
        return redirect("cases:submission", pk=pk)
    context = case_context(sub)
    context.update(
        submission=sub,
        campaign=campaign,
        own=own,
        editing=editing,
        problems=services.problems(sub) if editing else [],
        section_inputs=[
            (i, name, sub.sections.get(name, "")) for i, name in enumerate(campaign.sections)
        ],
        image_form=ImageForm(),
        attachment_form=AttachmentForm(),
        figure_form=FigureForm(),
        pull_form=PullFiguresForm(initial={"as_of": timezone.localdate()}),
    )
    return render(request, "cases/submission.html", context)


@login_required
@require_POST
def autosave(request, pk):
    """htmx: save the draft as typed, answer with a one-line status."""
    sub = _own(request, pk)
    try:
        changed = services.save_draft(
            sub,
            actor=request.user,
            title=request.POST.get("title"),
            category=request.POST.get("category"),
            sections={
                name: request.POST.get(f"section-{i}", "")
                for i, name in enumerate(sub.campaign.sections)
            },
            autosave=True,
        )
    except ValidationError as exc:
        return render(request, "cases/_autosave.html", {"error": " ".join(exc.messages)})
    return render(request, "cases/_autosave.html", {"changed": changed, "at": timezone.localtime()})


def _act(request, pk, action, success):
    sub = _own(request, pk)
    try:
        action(sub, actor=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, success)
    return redirect("cases:submission", pk=pk)


@login_required
@require_POST
def submit(request, pk):
    return _act(
        request, pk, services.submit, _("Case submitted. It is locked until you withdraw it.")
    )


@login_required
@require_POST
def withdraw(request, pk):
    return _act(
        request, pk, services.withdraw, _("Case withdrawn; you may edit it and submit again.")
    )


@login_required
@require_POST
def add_image(request, pk):
    sub = _own(request, pk)
    form = ImageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_image(
                sub,
                form.cleaned_data["file"],
                actor=request.user,
                caption=form.cleaned_data["caption"],
                taken_on=form.cleaned_data["taken_on"],
            )
        except ValidationError as exc:
            _errors(request, exc)
    else:
        messages.error(request, _("Choose an image and write its caption."))
    return redirect("cases:submission", pk=pk)


@login_required
@require_POST
def add_attachment(request, pk):
    sub = _own(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_attachment(sub, form.cleaned_data["file"], actor=request.user)
        except ValidationError as exc:
            _errors(request, exc)
    return redirect("cases:submission", pk=pk)


@login_required
@require_POST
def remove_file(request, pk, kind, file_pk):
    sub = _own(request, pk)
    related = {"image": sub.images, "attachment": sub.attachments}.get(kind)
    if related is None:
        raise Http404
    try:
        services.remove_file(
            access_scope.get_visible_or_404(related.all(), pk=file_pk), actor=request.user
        )
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("cases:submission", pk=pk)


@login_required
@require_POST
def pull_figures(request, pk):
    sub = _own(request, pk)
    form = PullFiguresForm(request.POST)
    if form.is_valid():
        try:
            services.pull_figures(sub, form.cleaned_data["as_of"], actor=request.user)
        except ValidationError as exc:
            _errors(request, exc)
    return redirect("cases:submission", pk=pk)


@login_required
@require_POST
def add_figure(request, pk):
    sub = _own(request, pk)
    form = FigureForm(request.POST)
    if form.is_valid():
        try:
            services.add_stated_figure(sub, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors(request, exc)
    return redirect("cases:submission", pk=pk)


@login_required
@require_POST
def remove_figure(request, pk, figure_pk):
    sub = _own(request, pk)
    try:
        services.remove_figure(
            access_scope.get_visible_or_404(sub.figures.all(), pk=figure_pk), actor=request.user
        )
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("cases:submission", pk=pk)


@login_required
def image(request, pk, image_pk):
    sub = _readable(request, pk)
    img = access_scope.get_visible_or_404(sub.images.all(), pk=image_pk)
    return file_response(img.file, content_type="image/jpeg")


@login_required
def attachment(request, pk, attachment_pk):
    sub = _readable(request, pk)
    item = access_scope.get_visible_or_404(sub.attachments.all(), pk=attachment_pk)
    record_read(request.user, AuditEvent.CASE_ATTACHMENT_DOWNLOAD, item)
    return file_response(item.file, as_attachment=True, filename=item.original_name)
