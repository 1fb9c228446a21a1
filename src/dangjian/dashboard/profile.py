"""The organization profile (一户一档): everything the ledger knows about one unit."""

from django.utils import timezone

from dangjian.access import scope
from dangjian.access.models import Action
from dangjian.governance import queries as governance
from dangjian.orglife.models import Meeting
from dangjian.party import queries
from dangjian.party.models import Coverage, Employment, InstructorAssignment, Position


def organization_profile(org, user) -> dict:
    today = timezone.localdate()
    # Authority viewers see the unit but no personal data, party membership included.
    sees_members = scope.members(user, Action.VIEW).exists()
    coverages = list(
        Coverage.objects.filter(organization=org)
        .select_related("party_organization")
        .order_by("-valid_from")
    )
    party_org_ids = [c.party_organization_id for c in coverages]
    # Narrow the member scope to this unit's employees first: the scope's OR of subqueries is
    # then evaluated for a handful of rows, not for every member in the federation.
    visible_members = scope.members(user, Action.VIEW).filter(employments__organization=org)
    employments = list(
        Employment.objects.filter(organization=org, member__in=visible_members.values("pk"))
        .select_related("member", "member__relation_party_organization")
        .order_by("valid_to", "member__name")
    )
    return {
        "org": org,
        "today": today,
        "memberships": list(org.memberships.select_related("federation")),
        "coverages": coverages,
        "current_coverage": [c for c in coverages if c.is_valid_on(today)],
        "employments": employments,
        # A report figure of the unit (party.queries' one definition), counted over every
        # member: a viewer who may see the unit but not its people (the supervising unit's
        # authority viewer) sees the count without the list.
        "full_member_count": queries.full_member_count([org], today),
        # Party posts reveal party membership: only for viewers who may see these members.
        "positions": list(
            Position.objects.filter(
                party_organization_id__in=party_org_ids,
                member__in=scope.members(user, Action.VIEW).values("pk"),
            )
            .select_related("member", "party_organization")
            .order_by("-valid_from")
        ),
        "assignments": list(
            InstructorAssignment.objects.filter(organization=org).select_related("instructor")
        ),
        "meetings": list(
            Meeting.objects.filter(party_organization_id__in=party_org_ids)
            .select_related("party_organization")
            .order_by("-held_on")[:20]
        ),
        "leaders": list(org.leaders.select_related("member").order_by("valid_to", "role")),
        "charter": governance.charter_in_force(org, today),
        "decisions": list(org.major_decisions.all()[:10]),
        "one_shoulder": governance.one_shoulder(org, today) if sees_members else [],
        "sees_members": sees_members,
        "principal_leaders": governance.principal_leaders(org, today),
        "designations": list(org.designations.all()),
        "recognitions": list(org.recognitions.all()),
        "last_year": today.year - 1,
        "can_view_personal": scope.can(user, Action.VIEW_PERSONAL),
    }
