"""Reads of the case collection that pages and services share: what a submission still lacks,
who the experts are, the conflict-of-interest keys, and the ranking after review."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from dangjian.access.models import RoleAssignment
from dangjian.registry.models import Membership, Organization

from . import scoring, text
from .models import (
    Campaign,
    Review,
    ReviewerProfile,
    Submission,
)


def problems(submission: Submission) -> list[str]:
    """What stands between this draft and submitting it (word limits, empty sections)."""
    campaign = submission.campaign
    found = []
    if campaign.categories and submission.category not in campaign.categories:
        found.append(_("Choose a category."))
    total = 0
    for name in campaign.sections:
        count = text.word_count(submission.sections.get(name, ""))
        total += count
        if count == 0:
            found.append(_("Section “%(name)s” is empty.") % {"name": name})
        elif count > campaign.section_word_limit:
            found.append(
                _("Section “%(name)s” has %(count)s characters, more than %(limit)s.")
                % {"name": name, "count": count, "limit": campaign.section_word_limit}
            )
    if total > campaign.total_word_limit:
        found.append(
            _("The case has %(count)s characters, more than %(limit)s.")
            % {"count": total, "limit": campaign.total_word_limit}
        )
    return found


def experts():
    User = get_user_model()
    ids = RoleAssignment.objects.current().filter(role=RoleAssignment.Role.EXPERT_REVIEWER)
    return User.objects.filter(pk__in=ids.values("user"), is_active=True).order_by("username")


def undeclared_experts():
    """Experts whose affiliation nobody has recorded: the conflict-of-interest rule cannot keep
    them from their own unit's cases, so they are not assigned until it is recorded."""
    return experts().filter(reviewer_profile__isnull=True)


def _unit_keys(organization: Organization, day: datetime.date) -> set:
    feds = Membership.objects.valid_on(day).filter(organization=organization)
    return {("org", organization.pk)} | {
        ("fed", f) for f in feds.values_list("federation_id", flat=True)
    }


def submission_keys(submission: Submission, day: datetime.date) -> set:
    if submission.organization is not None:
        return _unit_keys(submission.organization, day)
    return {("fed", submission.federation_id)}


def reviewer_keys(user, day: datetime.date) -> set:
    """A reviewer's affiliations: their unit (and its federations) and their federation."""
    profile = ReviewerProfile.objects.filter(user=user).first()
    if profile is None:
        return set()
    keys = _unit_keys(profile.organization, day) if profile.organization is not None else set()
    if profile.federation_id:
        keys.add(("fed", profile.federation_id))
    return keys


def ranking(campaign: Campaign) -> list[scoring.Ranked]:
    """Cases ranked by normalised score. A case whose later round is complete is judged on that
    round's scores (the second round replaces the first for the borderline ones)."""
    reviews = list(
        Review.objects.filter(submission__campaign=campaign).values(
            "submission_id", "reviewer_id", "round", "total", "completed_at"
        )
    )
    # The last round whose reviews are all complete counts for each case (default: round 1).
    incomplete = {(r["submission_id"], r["round"]) for r in reviews if not r["completed_at"]}
    final_round: dict[int, int] = {}
    for row in reviews:
        key = (row["submission_id"], row["round"])
        if key not in incomplete:
            final_round[key[0]] = max(final_round.get(key[0], 0), key[1])
    triples = [
        (r["reviewer_id"], r["submission_id"], float(r["total"]))
        for r in reviews
        if r["completed_at"]
        and r["total"] is not None
        and r["round"] == final_round.get(r["submission_id"], 1)
    ]
    return scoring.rank(triples, campaign.selection_quota, campaign.borderline_margin)
