"""Expert review: affiliations, assigning reviewers without conflicts of interest, reviews, a second round."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.audit import record_change, record_event, snapshot
from dangjian.core.events import AuditEvent
from dangjian.core.validators import text_max_length

from .. import scoring
from ..models import (
    Campaign,
    Review,
    ReviewerProfile,
    Submission,
)
from ..queries import experts, ranking, reviewer_keys, submission_keys
from .common import _now


# -- review ------------------------------------------------------------------------------------
@transaction.atomic
def declare_affiliation(expert, *, organization=None, federation=None, actor) -> ReviewerProfile:
    """Record where an expert works (both empty: an independent expert, declared as such)."""
    if not experts().filter(pk=expert.pk).exists():
        raise ValidationError(_("Only a current expert reviewer has an affiliation to record."))
    existing = ReviewerProfile.objects.select_for_update().filter(user=expert).first()
    before = snapshot(existing) if existing else None
    # update_or_create: two officers recording a first affiliation at once do not collide on
    # the one-profile-per-expert constraint; the later one wins and both are audited.
    profile, _created = ReviewerProfile.objects.update_or_create(
        user=expert, defaults={"organization": organization, "federation": federation}
    )
    record_change(actor, profile, before)
    return profile


def _check_review_stage(campaign: Campaign, now):
    if campaign.accepts_at(now):
        raise ValidationError(_("Reviewers can be assigned only after the deadline."))
    if campaign.stage == Campaign.Stage.PUBLISHED:
        raise ValidationError(_("This campaign is already published."))


@transaction.atomic
def assign_reviewers(campaign: Campaign, *, actor, round: int = 1, only=None, now=None) -> list:
    """Assign experts to the submitted cases (or to ``only`` those, in a later round)."""
    now = _now(now)
    _check_review_stage(campaign, now)
    day = timezone.localdate(campaign.deadline)
    subs = list(
        only
        if only is not None
        else campaign.submissions.filter(status=Submission.Status.SUBMITTED)
    )
    # Only experts whose affiliation is on record: an undeclared one could be their own judge.
    users = {u.pk: u for u in experts().filter(reviewer_profile__isnull=False)}
    existing = list(
        Review.objects.filter(submission__campaign=campaign, round=round).values_list(
            "submission_id", "reviewer_id"
        )
    )
    # A reviewer who already scored a case in an earlier round is not asked again about it.
    earlier = set(
        Review.objects.filter(submission__campaign=campaign, round__lt=round).values_list(
            "submission_id", "reviewer_id"
        )
    )
    sub_keys = {s.pk: submission_keys(s, day) for s in subs}
    for s_id, r_id in earlier:
        if s_id in sub_keys:
            sub_keys[s_id] = sub_keys[s_id] | {("earlier", r_id)}
    rev_keys = {pk: reviewer_keys(u, day) | {("earlier", pk)} for pk, u in users.items()}
    pairs = scoring.plan_assignments(
        sub_keys, rev_keys, campaign.reviewers_per_submission, existing=existing
    )
    created = [Review.objects.create(submission_id=s, reviewer_id=r, round=round) for s, r in pairs]
    if campaign.stage == Campaign.Stage.OPEN:
        before = snapshot(campaign)
        campaign.stage = Campaign.Stage.REVIEW
        campaign.save()
        record_change(actor, campaign, before)
    record_event(
        actor,
        AuditEvent.CASE_REVIEWERS_ASSIGNED,
        campaign,
        round=round,
        pairs=[[s, r] for s, r in pairs],
    )
    return created


@transaction.atomic
def save_review(
    review: Review, *, actor, scores: dict, comment: str, complete: bool, now=None
) -> Review:
    """Score a case on the rubric (each criterion 0–10). Every change is audited."""
    review = (
        Review.objects.select_for_update().select_related("submission__campaign").get(pk=review.pk)
    )
    campaign = review.submission.campaign
    if campaign.stage != Campaign.Stage.REVIEW:
        raise ValidationError(_("The review of this campaign is closed."))
    if review.reviewer_id != getattr(actor, "pk", None):
        raise PermissionDenied
    text_max_length()(comment or "")
    clean = {}
    for criterion in campaign.rubric:
        value = scores.get(criterion["key"])
        if value in (None, ""):
            if complete:
                raise ValidationError(_("Score every criterion before finishing."))
            continue
        try:
            number = Decimal(str(value))
        except ArithmeticError:
            raise ValidationError(_("Scores are numbers from 0 to 10.")) from None
        if not Decimal(0) <= number <= Decimal(10):
            raise ValidationError(_("Scores are numbers from 0 to 10."))
        clean[criterion["key"]] = float(number)
    before = snapshot(review)
    review.scores = clean
    review.comment = comment
    full = len(clean) == len(campaign.rubric)
    review.total = None
    if full:
        total = Decimal(str(scoring.weighted_total(campaign.rubric, clean)))
        review.total = total.quantize(Decimal("0.01"))
    if complete:
        review.completed_at = review.completed_at or _now(now)
    review.save()
    record_change(actor, review, before)
    return review


@transaction.atomic
def start_second_round(campaign: Campaign, *, actor, now=None) -> list:
    rows = ranking(campaign)
    borderline = [r.submission for r in rows if r.borderline]
    subs = list(Submission.objects.filter(pk__in=borderline))
    if not subs:
        raise ValidationError(_("No case is near the cut-off."))
    record_event(actor, AuditEvent.CASE_SECOND_ROUND, campaign, submissions=borderline)
    return assign_reviewers(campaign, actor=actor, round=2, only=subs, now=now)
