"""The members' scope with a job in scope checked member by member (a scalar subquery, which
PostgreSQL evaluates per row instead of hashing every employment): the same members, for every
user of the demo and every action, as the EXISTS it replaced."""

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q

from dangjian.access import scope
from dangjian.access.models import Action, RoleAssignment
from dangjian.party.models import Coverage, Employment, PartyMember

pytestmark = pytest.mark.django_db
Role = RoleAssignment.Role


def _members_with_an_exists(user, action):
    grants = scope.personal_assignments(user, action)
    if any(g.role == Role.ADMIN for g in grants):
        return PartyMember.objects.all()
    qs = []
    for g in grants:
        if g.role == Role.PARTY_MEMBER:
            qs.append(Q(pk=g.member_id))
        elif g.role == Role.BRANCH_SECRETARY:
            qs.append(Q(relation_party_organization_id=g.party_organization_id))
            covered = Coverage.objects.filter(party_organization_id=g.party_organization_id)
            qs.append(
                Q(
                    Exists(
                        Employment.objects.filter(
                            member=OuterRef("pk"), organization__in=covered.values("organization")
                        )
                    )
                )
            )
        else:
            employments = Employment.objects.filter(member=OuterRef("pk"))
            qs.append(
                Q(Exists(employments.filter(scope._org_q(g, "organization_id", "organization__"))))
            )
            if g.role == Role.FEDERATION_OFFICER:
                qs.append(
                    Q(
                        relation_party_organization__federation__path__startswith=scope._federation(
                            g
                        ).path
                    )
                )
    return PartyMember.objects.filter(scope.combine(qs))


def test_every_user_sees_the_same_members(demo_federation):
    seen = 0
    for user in get_user_model().objects.order_by("pk"):
        for action in (Action.VIEW, Action.EDIT, Action.EXPORT, Action.VIEW_PERSONAL):
            new = set(scope.members(user, action).values_list("pk", flat=True))
            old = set(_members_with_an_exists(user, action).values_list("pk", flat=True))
            assert new == old, (user.username, action)
            seen += bool(new)
    assert seen
