"""The federation's side of joining: invitation links and the review of applications."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.access import lists, scope
from dangjian.access.decorators import requires
from dangjian.access.models import Action
from dangjian.applications import services
from dangjian.applications.checks import full_members_for_branch
from dangjian.applications.filters import ApplicationFilter
from dangjian.applications.forms import ApproveForm, InvitationForm, ReasonForm
from dangjian.applications.lists import APPLICATIONS
from dangjian.applications.models import Application, Invitation
from dangjian.applications.views.public import bind_application_forms
from dangjian.core.filters import params

STATUS_TABS = [
    Application.Status.SUBMITTED,
    Application.Status.RETURNED,
    Application.Status.DRAFT,
    Application.Status.APPROVED,
    Application.Status.REJECTED,
]


@login_required
def application_list(request):
    action = lists.scope_action(request)
    qs = scope.visible(Application, request.user, action).select_related("federation")
    filters = ApplicationFilter(params(request), qs)
    if lists.wants_xlsx(request):
        return APPLICATIONS.export(request, filters.qs, filters=filters.describe())
    return render(
        request,
        "applications/application_list.html",
        {
            **APPLICATIONS.context(request, filters.qs),
            "status": filters.tab,
            "tabs": [(s, Application.Status(s).label) for s in STATUS_TABS],
            "can_approve": scope.can(request.user, Action.APPROVE),
        },
    )


APPLICATION_ROWS = Application.objects.select_related("federation", "organization")


def _application(request, pk, action=Action.VIEW):
    return scope.get(request.user, APPLICATION_ROWS, pk, action)


@login_required
def application_detail(request, pk, forms=None):
    application, rights = scope.get_with_rights(request.user, APPLICATION_ROWS, pk)
    rows = list(application.members.all())
    # "Already in the ledger" only as far as the reviewing officer's scope reaches: whether an
    # ID number is in another federation's ledger is that federation's to tell.
    in_ledger = set(
        scope.members(request.user)
        .filter(id_number_hash__in=[r.id_number_hash for r in rows])
        .values_list("id_number_hash", flat=True)
    )
    for row in rows:
        row.in_ledger = row.id_number_hash in in_ledger
    forms = forms or {}
    version = {"version": application.version}
    may_approve = Action.APPROVE in rights
    can_decide = may_approve and application.status == Application.Status.SUBMITTED
    return render(
        request,
        "applications/application_detail.html",
        {
            "application": application,
            "rows": rows,
            "full_count": sum(1 for r in rows if r.is_full),
            "threshold": full_members_for_branch(application.federation),
            "history": application.history.all(),
            "can_decide": can_decide,
            "can_reissue": may_approve
            and application.status
            not in (Application.Status.APPROVED, Application.Status.REJECTED),
            "approve_form": forms.get("approve")
            or ApproveForm(initial={**version, "role": application.requested_role}),
            "return_form": forms.get("return") or ReasonForm(initial=version, prefix="ret"),
            "reject_form": forms.get("reject") or ReasonForm(initial=version, prefix="rej"),
            "formation_cases": application.formation_cases.all(),
        },
        status=400 if forms else 200,
    )


@require_POST
@requires(Action.APPROVE)
def application_decide(request, pk, decision):
    application = _application(request, pk, Action.APPROVE)
    if decision == "approve":
        form = ApproveForm(request.POST)
    else:
        form = ReasonForm(request.POST, prefix="ret" if decision == "return" else "rej")
    if not form.is_valid():
        return application_detail(request, pk, forms={decision: form})
    data = form.cleaned_data
    try:
        if decision == "approve":
            services.approve_application(
                application,
                version=data["version"],
                role=data["role"],
                joined_on=data["joined_on"],
                actor=request.user,
            )
            messages.success(
                request, _("Approved: the unit and its party members are in the ledger.")
            )
            case = application.formation_cases.first()
            if case:
                messages.info(request, _("A formation case was opened: %(name)s.") % {"name": case})
        elif decision == "return":
            services.return_application(
                application, version=data["version"], reason=data["reason"], actor=request.user
            )
            messages.success(request, _("Returned to the applicant for correction."))
        else:
            services.reject_application(
                application, version=data["version"], reason=data["reason"], actor=request.user
            )
            messages.success(request, _("Rejected."))
    except services.WorkflowError as exc:
        messages.error(request, str(exc))
    return redirect("applications:application_detail", pk=pk)


@requires(Action.APPROVE)
def application_edit(request, pk):
    """An officer corrects a submitted application (with optimistic locking)."""
    application = _application(request, pk, Action.APPROVE)
    if application.status != Application.Status.SUBMITTED:
        messages.error(
            request, _("Only a submitted application can be corrected by the federation.")
        )
        return redirect("applications:application_detail", pk=pk)
    form, formset, upload, valid = bind_application_forms(
        request, application.federation, application
    )
    conflict = None
    if valid:
        try:
            services.save_application(
                application,
                form.cleaned_data,
                formset.rows(),
                version=request.POST.get("version"),
                actor=request.user,
            )
            messages.success(request, _("Changes saved."))
            return redirect("applications:application_detail", pk=pk)
        except services.WorkflowError as exc:
            conflict = str(exc)
    return render(
        request,
        "applications/application_edit.html",
        {
            "federation": application.federation,
            "form": form,
            "formset": formset,
            "upload": upload,
            "application": application,
            "conflict": conflict,
        },
    )


@require_POST
@requires(Action.APPROVE)
def application_reissue(request, pk):
    application = _application(request, pk, Action.APPROVE)
    token = services.reissue_access(application, actor=request.user)
    link = request.build_absolute_uri(reverse("applications:apply_edit", args=[token]))
    messages.success(
        request,
        format_html(
            "{} <code class='user-select-all'>{}</code>",
            _("New secret link for the applicant (shown once; the old link no longer works):"),
            link,
        ),
    )
    return redirect("applications:application_detail", pk=pk)


@login_required
def invitation_list(request):
    federations = scope.federations(request.user, Action.APPROVE)
    if request.method == "POST" and not scope.can(request.user, Action.APPROVE):
        raise PermissionDenied
    form = InvitationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        federation = federations.filter(pk=request.POST.get("federation")).first()
        if federation is None:
            form.add_error(None, _("Choose a federation you may act for."))
        elif form.is_valid():
            services.create_invitation(federation, **form.cleaned_data, actor=request.user)
            messages.success(request, _("Invitation link created."))
            return redirect("applications:invitation_list")
    invitations = scope.visible(Invitation, request.user).select_related("federation")[:100]
    today = timezone.localdate()
    for invitation in invitations:
        invitation.open = invitation.is_open(today)
        invitation.url = request.build_absolute_uri(
            reverse("applications:apply", args=[invitation.token])
        )
    return render(
        request,
        "applications/invitation_list.html",
        {"form": form, "invitations": invitations, "federations": federations},
    )


@require_POST
@requires(Action.APPROVE)
def invitation_revoke(request, pk):
    invitation = scope.get(request.user, Invitation, pk, Action.APPROVE)
    services.revoke_invitation(invitation, actor=request.user)
    messages.success(request, _("Invitation link withdrawn."))
    return redirect("applications:invitation_list")
