"""Who sees which campaigns, submissions and reviews, registered with ``dangjian.access.scope``
(the one lookup: views ask ``scope.visible(Campaign, user, action)`` and ``scope.get``).

- Campaign owners: federation officers whose federation is the campaign's or above it (admins
  own every campaign). Owners see every submission that is not a draft.
- Submitters: a unit liaison writes for their unit; a federation officer writes for a federation
  in their subtree. They may answer the campaigns of federations above them.
- Reviewers (expert_reviewer role): ONLY the reviews assigned to them, shown blind.
- The public: published cases only.
Rights by action: a campaign or submission with APPROVE is one the user runs; a submission with
EDIT is one the user writes. The helpers below (who submits for what, who reviews) are
capabilities, not visibility, and stay here beside the rules they share.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from dangjian.access import scope
from dangjian.access.models import Action, RoleAssignment
from dangjian.registry.models import Federation, Membership, Organization

from .models import (
    Campaign,
    Publication,
    Review,
    Submission,
    SubmissionAttachment,
    SubmissionFigure,
    SubmissionImage,
)

Role = RoleAssignment.Role


def owned_campaigns(user) -> QuerySet[Campaign]:
    """Campaigns the user runs (edit, assign, select, publish)."""
    return Campaign.objects.filter(federation__in=scope.federations(user, Action.APPROVE))


def submitting_units(user):
    """Units the user writes cases for: the liaison's own unit (admins: none — they own)."""
    ids = [
        g.organization_id
        for g in scope.assignments(user, Action.EDIT)
        if g.role == Role.UNIT_LIAISON
    ]
    return Organization.objects.filter(pk__in=ids)


def submitting_federations(user) -> QuerySet[Federation]:
    """Federations the user writes cases for: an officer's federation and those below it."""
    qs = [
        Q(path__startswith=g.federation.path)
        for g in scope.assignments(user, Action.EDIT)
        # An officer's grant names a federation (RoleAssignment.clean); one without grants none.
        if g.role == Role.FEDERATION_OFFICER and g.federation is not None
    ]
    if not qs:
        return Federation.objects.none()
    return Federation.objects.filter(scope.combine(qs))


def is_submitter(user) -> bool:
    return submitting_units(user).exists() or submitting_federations(user).exists()


def _ids(path: str) -> list[int]:
    return [int(x) for x in path.strip("/").split("/") if x]


def _answerable_federation_ids(federation_paths, unit_federation_paths) -> set[int]:
    """A federation answers the calls of federations above it; a unit also its own federation's."""
    ids = {i for p in federation_paths for i in _ids(p)[:-1]}
    return ids | {i for p in unit_federation_paths for i in _ids(p)}


def _unit_federation_paths(units) -> list[str]:
    return list(
        Membership.objects.current()
        .filter(organization__in=units)
        .values_list("federation__path", flat=True)
    )


def campaigns_open_to(submitter) -> QuerySet[Campaign]:
    """Campaigns a unit or federation may answer."""
    if isinstance(submitter, Federation):
        ids = _answerable_federation_ids([submitter.path], [])
    else:
        ids = _answerable_federation_ids([], _unit_federation_paths([submitter.pk]))
    return Campaign.objects.filter(federation_id__in=ids)


def campaigns(user) -> QuerySet[Campaign]:
    """Every campaign the user may look at (as owner, submitter or reviewer)."""
    ids = _answerable_federation_ids(
        submitting_federations(user).values_list("path", flat=True),
        _unit_federation_paths(submitting_units(user).values("pk")),
    )
    return Campaign.objects.filter(
        Q(federation_id__in=ids) | Q(pk__in=owned_campaigns(user).values("pk"))
    )


def own_submissions(user) -> QuerySet[Submission]:
    """Submissions the user writes (drafts included)."""
    return Submission.objects.filter(
        Q(organization__in=submitting_units(user)) | Q(federation__in=submitting_federations(user))
    )


def submissions(user) -> QuerySet[Submission]:
    """Submissions the user may read in full (with names): their own, and the non-drafts of
    campaigns they run. Reviewers never come through here."""
    return Submission.objects.filter(
        Q(pk__in=own_submissions(user).values("pk"))
        | (Q(campaign__in=owned_campaigns(user)) & ~Q(status=Submission.Status.DRAFT))
    )


def is_reviewer(user) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    cached = user.__dict__.get("_cases_is_reviewer")
    if cached is None:
        cached = (
            RoleAssignment.objects.current().filter(user=user, role=Role.EXPERT_REVIEWER).exists()
        )
        user.__dict__["_cases_is_reviewer"] = cached
    return cached


def reviews(user) -> QuerySet[Review]:
    """The reviews assigned to this expert, and nothing else."""
    if not is_reviewer(user):
        return Review.objects.none()
    return Review.objects.filter(reviewer=user).select_related("submission__campaign")


def public_publications() -> QuerySet[Publication]:
    return Publication.objects.filter(published_at__isnull=False)


def public_campaigns() -> QuerySet[Campaign]:
    return Campaign.objects.filter(
        stage=Campaign.Stage.PUBLISHED, publications__published_at__isnull=False
    ).distinct()


def _campaigns(user, action):
    return owned_campaigns(user) if action == Action.APPROVE else campaigns(user)


def _submissions(user, action):
    if action == Action.EDIT:
        return own_submissions(user)
    if action == Action.APPROVE:
        return Submission.objects.filter(campaign__in=owned_campaigns(user)).exclude(
            status=Submission.Status.DRAFT
        )
    if action in (Action.VIEW, Action.EXPORT):
        return submissions(user)
    return Submission.objects.none()


def _published_submissions():
    return Submission.objects.filter(publication__published_at__isnull=False)


def _part_of_submission(model):
    def rule(user, action):
        return model.objects.filter(submission__in=_submissions(user, action).values("pk"))

    return rule


def register() -> None:
    scope.register(Campaign, _campaigns, public=public_campaigns)
    scope.register(Submission, _submissions, public=_published_submissions)
    for model in (SubmissionImage, SubmissionAttachment, SubmissionFigure):
        scope.register(model, _part_of_submission(model))
    # Reviews are the expert's own, whatever the action: experts hold no scoped grants.
    scope.register(Review, lambda user, action: reviews(user))
    scope.register(
        Publication,
        lambda user, action: Publication.objects.filter(campaign__in=owned_campaigns(user)),
        public=public_publications,
    )
