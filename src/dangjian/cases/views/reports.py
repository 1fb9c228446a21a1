"""Reports of a campaign for its owners: submissions per federation and category, reviewer
progress, the score distribution (ECharts), selected against submitted."""

from collections import Counter

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render

from dangjian.access import scope as access_scope
from dangjian.access.models import Action

from ..models import Campaign, Review, Submission


def _federation_of(submission: Submission) -> str:
    if submission.federation is not None:
        return submission.federation.name
    # A submission without a federation has a unit (the model's check constraint).
    assert submission.organization is not None
    membership = submission.organization.memberships.order_by("-valid_from").first()
    return membership.federation.name if membership else "—"


@login_required
def report(request, pk):
    campaign = access_scope.get_visible_or_404(
        access_scope.visible(Campaign, request.user, Action.APPROVE), pk=pk
    )
    subs = list(
        campaign.submissions.filter(status=Submission.Status.SUBMITTED)
        .select_related("organization", "federation")
        .prefetch_related("organization__memberships__federation")
    )
    per_federation = Counter(_federation_of(s) for s in subs)
    per_category = Counter(s.category or "—" for s in subs)
    selected_per_category = Counter(s.category or "—" for s in subs if s.selected)
    progress = (
        Review.objects.filter(submission__campaign=campaign)
        .values("reviewer__username", "reviewer__first_name")
        .annotate(assigned=Count("pk"), done=Count("pk", filter=Q(completed_at__isnull=False)))
        .order_by("reviewer__username")
    )
    totals = [
        float(t)
        for t in Review.objects.filter(
            submission__campaign=campaign, completed_at__isnull=False, total__isnull=False
        ).values_list("total", flat=True)
    ]
    bins = [f"{lo}–{lo + 9}" if lo < 90 else "90–100" for lo in range(0, 100, 10)]
    counts = [0] * 10
    for total in totals:
        counts[min(int(total // 10), 9)] += 1
    chart = {
        "bins": bins,
        "counts": counts,
        "categories": list(per_category),
        "submitted": [per_category[c] for c in per_category],
        "selected": [selected_per_category[c] for c in per_category],
    }
    return render(
        request,
        "cases/report.html",
        {
            "campaign": campaign,
            "per_federation": sorted(per_federation.items()),
            "per_category": [(c, n, selected_per_category[c]) for c, n in per_category.items()],
            "progress": progress,
            "chart": chart,
            "n_submitted": len(subs),
            "n_selected": sum(1 for s in subs if s.selected),
        },
    )
