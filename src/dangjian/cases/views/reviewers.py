"""The expert pool: who reviews, and where each works — the conflict-of-interest rule keeps an
expert from the cases of their own unit and federation, so an expert whose affiliation is not
on record is not assigned at all."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from dangjian.access import scope as access_scope
from dangjian.access.models import Action

from .. import services
from ..forms import AffiliationForm
from ..models import ReviewerProfile


def _require_campaign_runner(user):
    federations = access_scope.federations(user, Action.APPROVE)
    if not federations.exists():
        raise Http404
    return federations


def _affiliation(profile, organizations, federations) -> dict:
    """What the viewer may see of an expert's affiliation: names only inside their scope."""
    if profile is None:
        return {"declared": False}
    row: dict[str, Any] = {
        "declared": True,
        "organization": None,
        "federation": None,
        "hidden": False,
    }
    if profile.organization_id:
        row["organization"] = organizations.filter(pk=profile.organization_id).first()
        row["hidden"] |= row["organization"] is None
    if profile.federation_id:
        row["federation"] = federations.filter(pk=profile.federation_id).first()
        row["hidden"] |= row["federation"] is None
    return row


@login_required
def reviewer_list(request):
    user = request.user
    _require_campaign_runner(user)
    organizations = access_scope.organizations(user)
    visible_federations = access_scope.federations(user)
    rows = []
    for expert in services.experts().select_related("reviewer_profile"):
        profile = getattr(expert, "reviewer_profile", None)
        rows.append((expert, _affiliation(profile, organizations, visible_federations)))
    # (the edit page refuses an affiliation partly outside the viewer's scope; no button then)
    return render(
        request,
        "cases/reviewer_list.html",
        {"rows": rows},
    )


@login_required
def reviewer_edit(request, pk):
    user = request.user
    federations = _require_campaign_runner(user)
    expert = access_scope.get_visible_or_404(services.experts(), pk=pk)
    organizations = access_scope.organizations(user, Action.APPROVE)
    profile = ReviewerProfile.objects.filter(user=expert).first()
    # An affiliation recorded by someone with another scope is theirs to change: this officer
    # could neither see what they would overwrite nor put it back.
    if profile and (
        (profile.organization_id and not organizations.filter(pk=profile.organization_id).exists())
        or (profile.federation_id and not federations.filter(pk=profile.federation_id).exists())
    ):
        raise Http404
    initial = {}
    if profile:
        initial = {
            "uscc": profile.organization.uscc if profile.organization_id else "",
            "federation": profile.federation_id,
        }
    form = AffiliationForm(
        request.POST or None, initial=initial, organizations=organizations, federations=federations
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.declare_affiliation(
                expert,
                organization=form.cleaned_data["uscc"],
                federation=form.cleaned_data["federation"],
                actor=user,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Affiliation recorded."))
            return redirect("cases:reviewer_list")
    return render(request, "cases/reviewer_edit.html", {"expert": expert, "form": form})
