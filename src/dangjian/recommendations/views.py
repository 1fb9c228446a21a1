"""Pages of handling recommendations: findings → draft → number → Word, and the register."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.access import lists, scope
from dangjian.access.models import Action
from dangjian.core.audit import record_read
from dangjian.core.events import AuditEvent
from dangjian.core.filters import params
from dangjian.core.http import attach
from dangjian.recommendations import services
from dangjian.recommendations.filters import LetterFilter
from dangjian.recommendations.forms import (
    CloseForm,
    DraftForm,
    IssueForm,
    LetterEditForm,
    ReplyForm,
    SentForm,
    WithdrawForm,
)
from dangjian.recommendations.letters import letter_docx
from dangjian.recommendations.lists import LETTERS
from dangjian.recommendations.models import Letter
from dangjian.rules.models import Finding

# The rules whose findings are handled by recommendations first (others can be shown too).
MAIN_RULES = ("dormancy.dormant_society", "shell.empty_branch", "credit.abnormal_list_proposal")


def _draftable_findings(user):
    """Findings a user may draft letters from: visible with APPROVE, and raised by a federation
    in the user's APPROVE scope (the letter is written in that federation's name)."""
    return scope.visible(Finding, user, Action.APPROVE).filter(
        federation__in=scope.federations(user, Action.APPROVE).values("pk")
    )


def _can_draft(user) -> bool:
    return scope.federations(user, Action.APPROVE).exists()


def _open_findings(user, show_all: bool):
    qs = _draftable_findings(user).open()
    if not show_all:
        qs = qs.filter(rule_id__in=MAIN_RULES)
    return qs.select_related("organization", "party_organization", "federation").order_by(
        "rule_id", "organization__name", "party_organization__name", "id"
    )


@login_required
def finding_select(request):
    if not _can_draft(request.user):
        raise Http404
    show_all = request.GET.get("all") == "1" or request.POST.get("all") == "1"
    findings = _open_findings(request.user, show_all)
    form = DraftForm(request.POST or None, findings=findings)
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["findings"]
        letter = services.draft_letter(
            chosen[0].federation,
            chosen,
            recipient_kind=form.cleaned_data["recipient_kind"],
            recipient=form.cleaned_data["recipient"],
            actor=request.user,
        )
        messages.success(request, _("A draft letter was written from the selected findings."))
        return redirect("recommendations:letter_detail", pk=letter.pk)
    rows = []
    for finding in findings[:500]:
        rows.append(
            {
                "finding": finding,
                "title": finding.title,
                "letters": [],
            }
        )
    drafted = {}
    for letter in (
        scope.visible(Letter, request.user)
        .filter(findings__in=[r["finding"].pk for r in rows])
        .exclude(status=Letter.Status.WITHDRAWN)
        .prefetch_related("findings")
    ):
        for f in letter.findings.all():
            drafted.setdefault(f.pk, []).append(letter)
    for row in rows:
        row["letters"] = drafted.get(row["finding"].pk, [])
    return render(
        request,
        "recommendations/finding_select.html",
        {"form": form, "rows": rows, "show_all": show_all},
    )


@login_required
def letter_list(request):
    action = lists.scope_action(request)
    letters = scope.visible(Letter, request.user, action).select_related("federation")
    filters = LetterFilter(params(request), letters)
    if lists.wants_xlsx(request) and not filters.errors:
        return LETTERS.export(request, filters.qs, filters=filters.describe())
    return render(
        request,
        "recommendations/letter_list.html",
        {
            **LETTERS.context(request, filters.qs),
            "filters": filters.form,
            "statuses": Letter.Status.choices,
            "status": filters.form["status"].value(),
            "can_draft": _can_draft(request.user),
        },
    )


def _letter(request, pk, action=Action.VIEW):
    """The letter, with what the user may do on it in ``letter.rights``."""
    letter, rights = scope.get_with_rights(
        request.user, Letter.objects.select_related("federation"), pk, action
    )
    letter.rights = rights
    return letter


FORM_KEYS = {
    "edit": "edit_form",
    "issue": "issue_form",
    "send": "sent_form",
    "reply": "reply_form",
    "close": "close_form",
    "withdraw": "withdraw_form",
}
STEPS = {
    "edit": LetterEditForm,
    "issue": IssueForm,
    "send": SentForm,
    "reply": ReplyForm,
    "close": CloseForm,
    "withdraw": WithdrawForm,
}


def _detail(request, letter, *, step: str = "", bound=None):
    can_edit = Action.APPROVE in letter.rights
    context = {
        "letter": letter,
        "can_edit": can_edit,
        "findings": letter.findings.select_related(
            "organization", "party_organization", "federation"
        )
        if can_edit
        else [],
        "organizations": letter.organizations.filter(
            pk__in=scope.organizations(request.user).values("pk")
        ),
        "failed_step": step,
        # Conflicts and wrong-state errors are shown at the top: the form they came from may
        # no longer be on the page (the letter moved on meanwhile).
        "step_errors": list(bound.non_field_errors()) if bound is not None else [],
    }
    if can_edit:
        today = timezone.localdate()
        v = {"version": letter.version}
        context.update(
            edit_form=LetterEditForm(
                initial={
                    "recipient": letter.recipient,
                    "title": letter.title,
                    "body": letter.body,
                    "contact_note": letter.contact_note,
                    **v,
                }
            ),
            issue_form=IssueForm(initial={"issued_on": today, **v}),
            sent_form=SentForm(initial={"sent_on": today, **v}),
            reply_form=ReplyForm(initial={"replied_on": today, **v}),
            close_form=CloseForm(initial={"closed_on": today, **v}),
            withdraw_form=WithdrawForm(initial=v),
        )
        if bound is not None:
            context[FORM_KEYS[step]] = bound
    return render(request, "recommendations/letter_detail.html", context)


@login_required
def letter_detail(request, pk: int):
    return _detail(request, _letter(request, pk))


def _run_step(step, letter, data, actor):
    version = data["version"]
    if step == "edit":
        services.update_letter(
            letter,
            recipient=data["recipient"],
            title=data["title"],
            body=data["body"],
            contact_note=data["contact_note"],
            version=version,
            actor=actor,
        )
        return _("The draft was saved.")
    if step == "issue":
        letter = services.issue_letter(
            letter, version=version, issued_on=data["issued_on"], actor=actor
        )
        return _("The letter was numbered %(number)s.") % {"number": letter.doc_number}
    if step == "send":
        services.mark_sent(
            letter, sent_on=data["sent_on"], sent_via=data["sent_via"], version=version, actor=actor
        )
        return _("The letter was marked as sent.")
    if step == "reply":
        services.record_reply(
            letter, replied_on=data["replied_on"], reply=data["reply"], version=version, actor=actor
        )
        return _("The reply was recorded.")
    if step == "close":
        services.close_letter(
            letter, closed_on=data["closed_on"], note=data["note"], version=version, actor=actor
        )
        return _("The letter was closed.")
    services.withdraw_letter(letter, version=version, actor=actor)
    return _("The draft was withdrawn.")


@login_required
@require_POST
def letter_step(request, pk: int, step: str):
    if step not in STEPS:
        raise Http404
    letter = _letter(request, pk, Action.APPROVE)
    floor = {
        "send": letter.issued_on,
        "reply": letter.sent_on,
        "close": letter.replied_on or letter.sent_on,
    }.get(step)
    kwargs = {"floor": floor} if step in ("send", "reply", "close") else {}
    form = STEPS[step](request.POST, **kwargs)
    if form.is_valid():
        try:
            message = _run_step(step, letter, form.cleaned_data, request.user)
        except services.LetterConflict as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, message)
            return redirect("recommendations:letter_detail", pk=letter.pk)
    letter.refresh_from_db()
    return _detail(request, letter, step=step, bound=form)


@login_required
def letter_download(request, pk: int):
    letter = _letter(request, pk, Action.EXPORT)
    data = letter_docx(letter)
    record_read(
        request.user,
        AuditEvent.LETTER_DOWNLOADED,
        letter,
        doc_number=letter.doc_number,
        status=letter.status,
    )
    name = letter.doc_number or f"{_('draft')}-{letter.pk}"
    filename = f"{name}.docx"
    response = HttpResponse(
        data,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    return attach(response, filename, f"letter-{letter.pk}.docx")
