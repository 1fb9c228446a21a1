"""The meetings' scope, written as a join to the branch's federation for a federation officer
(the meeting list walks every meeting newest first and stops after a page): the same meetings,
for every user of the demo, every action and with or without personal data, as the IN over
the party organizations in scope it replaced."""

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Q

from dangjian.access import scope
from dangjian.access.models import Action
from dangjian.orglife.models import Meeting

pytestmark = pytest.mark.django_db


def _by_an_in_over_the_party_organizations(user, action, personal):
    grants = (
        scope.personal_assignments(user, action) if personal else scope.assignments(user, action)
    )
    if action == Action.EDIT:
        grants = [g for g in grants if g.role in scope.MEETING_WRITERS]
    q = Q(party_organization__in=scope._party_organizations_of(grants).values("pk"))
    if action == Action.VIEW and scope.own_member_ids(user, action):
        q |= Q(party_organization__in=scope.member_branches(user, action).values("pk"))
    return Meeting.objects.filter(q)


def test_every_user_sees_the_same_meetings(demo_federation):
    seen = 0
    for user in get_user_model().objects.order_by("pk"):
        for action in (Action.VIEW, Action.EDIT, Action.EXPORT, Action.VIEW_PERSONAL):
            for personal in (False, True):
                new = set(
                    scope.meetings(user, action, personal=personal).values_list("pk", flat=True)
                )
                old = set(
                    _by_an_in_over_the_party_organizations(user, action, personal).values_list(
                        "pk", flat=True
                    )
                )
                assert new == old, (user.username, action, personal)
                seen += bool(new)
    assert seen
    # The officer's first page of the meeting list: the newest meetings of the federation.
    officer = get_user_model().objects.get(username="officer")
    newest = list(
        scope.meetings(officer).order_by("-held_on", "-id").values_list("pk", flat=True)[:50]
    )
    assert newest == list(
        _by_an_in_over_the_party_organizations(officer, Action.VIEW, False)
        .order_by("-held_on", "-id")
        .values_list("pk", flat=True)[:50]
    )
    assert len(newest) == 50
