"""Campaign pages: the landing page, and what owners do (edit, assign, rank, select, publish)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.access import scope as access_scope
from dangjian.access.models import Action

from .. import access_rules, services
from ..forms import CampaignForm, RevisionForm, SelectForm
from ..models import Campaign, Publication, Review, Submission


def _errors(request, exc: ValidationError):
    for message in exc.messages:
        messages.error(request, message)


@login_required
def index(request):
    user = request.user
    owned = access_scope.visible(Campaign, user, Action.APPROVE).annotate(
        n_submitted=Count("submissions", filter=Q(submissions__status=Submission.Status.SUBMITTED))
    )
    open_ids = access_scope.visible(Campaign, user).exclude(pk__in=owned.values("pk"))
    context = {
        "owned": owned,
        "answerable": open_ids.filter(stage=Campaign.Stage.OPEN),
        "mine": access_scope.visible(Submission, user, Action.EDIT).select_related(
            "campaign", "organization", "federation"
        ),
        "reviews": access_scope.visible(Review, user).filter(
            submission__campaign__stage=Campaign.Stage.REVIEW
        ),
        "can_create": access_scope.federations(user, Action.APPROVE).exists(),
        "public": access_scope.public(Campaign),
    }
    return render(request, "cases/index.html", context)


def _owned_or_404(request, pk):
    return access_scope.get_visible_or_404(
        access_scope.visible(Campaign, request.user, Action.APPROVE), pk=pk
    )


@login_required
def campaign_form(request, pk=None):
    campaign = _owned_or_404(request, pk) if pk else Campaign()
    federations = access_scope.federations(request.user, Action.APPROVE)
    if not pk and not federations.exists():
        raise Http404
    form = CampaignForm(request.POST or None, instance=campaign, federations=federations)
    if request.method == "POST" and form.is_valid():
        try:
            if pk:
                services.update_campaign(campaign, actor=request.user, **form.campaign_fields())
            else:
                campaign = services.create_campaign(
                    form.cleaned_data["federation"], actor=request.user, **form.campaign_fields()
                )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Campaign saved."))
            return redirect("cases:campaign_detail", pk=campaign.pk)
    return render(request, "cases/campaign_form.html", {"form": form, "campaign": campaign})


@login_required
def campaign_detail(request, pk):
    campaign, rights = access_scope.get_with_rights(request.user, Campaign, pk)
    owner = Action.APPROVE in rights
    context = {"campaign": campaign, "owner": owner}
    if owner:
        subs = campaign.submissions.exclude(status=Submission.Status.DRAFT).select_related(
            "organization", "federation"
        )
        rows = services.ranking(campaign)
        by_sub = {s.pk: s for s in subs}
        publications = {p.submission_id: p for p in campaign.publications.all()}
        ranked = [(row, by_sub[row.submission], publications.get(row.submission)) for row in rows]
        ranked_ids = {row.submission for row in rows}
        reviews = Review.objects.filter(submission__campaign=campaign)
        context.update(
            submissions=subs,
            ranked=ranked,
            unranked=[s for s in subs if s.pk not in ranked_ids and s.status == "submitted"],
            review_counts=reviews.aggregate(
                total=Count("pk"), done=Count("pk", filter=Q(completed_at__isnull=False))
            ),
            has_borderline=any(row.borderline for row in rows),
            undeclared=services.undeclared_experts()
            if campaign.stage != Campaign.Stage.PUBLISHED
            else [],
            select_form=SelectForm(),
        )
    else:
        submitters = list(access_rules.submitting_units(request.user)) + list(
            access_rules.submitting_federations(request.user)
        )
        context["submitters"] = [
            s
            for s in submitters
            if access_rules.campaigns_open_to(s).filter(pk=campaign.pk).exists()
        ]
        context["mine"] = access_scope.visible(Submission, request.user, Action.EDIT).filter(
            campaign=campaign
        )
    return render(request, "cases/campaign_detail.html", context)


@login_required
@require_POST
def assign(request, pk):
    campaign = _owned_or_404(request, pk)
    try:
        created = services.assign_reviewers(campaign, actor=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("%(n)s review tasks assigned.") % {"n": len(created)})
    return redirect("cases:campaign_detail", pk=pk)


@login_required
@require_POST
def second_round(request, pk):
    campaign = _owned_or_404(request, pk)
    try:
        created = services.start_second_round(campaign, actor=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(
            request, _("Second round: %(n)s review tasks assigned.") % {"n": len(created)}
        )
    return redirect("cases:campaign_detail", pk=pk)


@login_required
@require_POST
def select(request, pk, sub_pk):
    campaign = _owned_or_404(request, pk)
    submission = access_scope.get_visible_or_404(campaign.submissions.all(), pk=sub_pk)
    if request.POST.get("deselect"):
        try:
            services.deselect_case(submission, actor=request.user)
        except ValidationError as exc:
            _errors(request, exc)
        return redirect("cases:campaign_detail", pk=pk)
    form = SelectForm(request.POST)
    if form.is_valid():
        try:
            services.select_case(submission, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Case selected."))
    else:
        messages.error(request, _("Give a number and an editor's note."))
    return redirect("cases:campaign_detail", pk=pk)


@login_required
@require_POST
def publish(request, pk):
    campaign = _owned_or_404(request, pk)
    try:
        services.publish_campaign(campaign, actor=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Published."))
    return redirect("cases:campaign_detail", pk=pk)


@login_required
def revise(request, pk):
    publication = access_scope.get_visible_or_404(
        Publication.objects.filter(
            campaign__in=access_scope.visible(Campaign, request.user, Action.APPROVE)
        ),
        pk=pk,
    )
    form = RevisionForm(
        request.POST or None,
        initial={"title": publication.title, "editor_note": publication.editor_note},
    )
    if request.method == "POST" and form.is_valid():
        new_sections = {
            k: request.POST.get(f"section-{i}", v)
            for i, (k, v) in enumerate(publication.ordered_sections())
        }
        try:
            services.revise_publication(
                publication,
                actor=request.user,
                note=form.cleaned_data["note"],
                title=form.cleaned_data["title"],
                editor_note=form.cleaned_data["editor_note"],
                sections=new_sections,
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Correction saved and shown on the public page."))
            return redirect("cases:campaign_detail", pk=publication.campaign_id)
    return render(
        request,
        "cases/revise.html",
        {
            "form": form,
            "publication": publication,
            "sections": list(enumerate(publication.ordered_sections())),
        },
    )
