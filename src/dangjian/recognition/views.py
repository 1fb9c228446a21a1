"""Pages of the recognition app: designations (liaison and demonstration points), honours,
exemplary individuals and works, and everything of one unit together."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.access import scope
from dangjian.access.decorators import requires
from dangjian.access.models import Action
from dangjian.party.models import Designation
from dangjian.recognition import services
from dangjian.recognition.forms import DesignationForm, RecognitionForm, RevokeForm
from dangjian.recognition.lists import DESIGNATIONS, RECOGNITIONS, REVOKED, UNIT_NAME
from dangjian.recognition.models import Recognition


def _tab(tab: str):
    return redirect(f"{reverse('recognition:overview')}?tab={tab}")


TABS = ["designations", *Recognition.Kind.values]


@login_required
def overview(request):
    tab = request.GET.get("tab", "designations")
    if tab not in TABS:
        tab = "designations"
    context = {
        "tab": tab,
        "tabs": [("designations", _("Liaison and demonstration points"))]
        + [(k, label) for k, label in Recognition.Kind.choices],
        "can_grant": scope.can(request.user, Action.APPROVE),
        "can_record": scope.can(request.user, Action.EDIT),
        "revoke_form": RevokeForm(),
        "can_view_personal": scope.can(request.user, Action.VIEW_PERSONAL),
    }
    if tab == "designations":
        context.update(
            DESIGNATIONS.context(
                request,
                scope.visible(Designation, request.user)
                .select_related("organization", "party_organization")
                .annotate(revoked=REVOKED, unit_name=UNIT_NAME),
            )
        )
    else:
        context.update(
            RECOGNITIONS[tab].context(
                request,
                scope.visible(Recognition, request.user)
                .filter(kind=tab)
                .select_related("organization")
                .annotate(revoked=REVOKED),
            )
        )
    return render(request, "recognition/overview.html", context)


@requires(Action.APPROVE)
def designation_new(request):
    organizations = scope.organizations(request.user, Action.APPROVE).order_by("name")
    form = DesignationForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        org = data["organization"]
        # The party organization covering the unit today shares the designation, if any.
        coverage = (
            org.coverages.valid_on(timezone.localdate())
            .select_related("party_organization")
            .first()
        )
        try:
            services.grant_designation(
                org,
                kind=data["kind"],
                year=data["year"],
                granted_by=data["granted_by"],
                party_organization=coverage.party_organization if coverage else None,
                actor=request.user,
            )
            messages.success(request, _("Designation granted."))
            return _tab("designations")
        except services.RecognitionError as exc:
            form.add_error(None, str(exc))
    return render(
        request,
        "recognition/form.html",
        {"form": form, "title": _("Grant a designation")},
        status=400 if form.errors else 200,
    )


@require_POST
@requires(Action.APPROVE)
def designation_revoke(request, pk):
    designation = scope.get(request.user, Designation, pk, Action.APPROVE)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.revoke_designation(
                designation, revoked_on=form.cleaned_data["revoked_on"], actor=request.user
            )
            messages.success(request, _("Designation revoked."))
        except services.RecognitionError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, "；".join(form.errors.get("revoked_on", [])))
    return _tab("designations")


@requires(Action.EDIT)
def recognition_new(request):
    organizations = scope.organizations(request.user, Action.EDIT).order_by("name")
    initial = {"kind": request.GET.get("kind", Recognition.Kind.HONOUR)}
    form = RecognitionForm(request.POST or None, initial=initial, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        recognition = services.record_recognition(form.cleaned_data, actor=request.user)
        messages.success(request, _("Recorded."))
        return _tab(recognition.kind)
    return render(
        request,
        "recognition/form.html",
        {"form": form, "title": _("Record an honour, an exemplary individual or a work")},
        status=400 if form.errors else 200,
    )


@require_POST
@requires(Action.EDIT)
def recognition_revoke(request, pk):
    recognition = scope.get(request.user, Recognition, pk, Action.EDIT)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.revoke_recognition(
                recognition, revoked_on=form.cleaned_data["revoked_on"], actor=request.user
            )
            messages.success(request, _("Revoked."))
        except services.RecognitionError as exc:
            messages.error(request, str(exc))
    return _tab(recognition.kind)


@login_required
def unit(request, pk):
    org = scope.get_visible_or_404(scope.organizations(request.user), pk=pk)
    return render(
        request,
        "recognition/unit.html",
        {
            "org": org,
            "designations": org.designations.select_related("party_organization"),
            "recognitions": org.recognitions.all(),
            "can_view_personal": scope.can(request.user, Action.VIEW_PERSONAL),
        },
    )
