"""The flowing periods' visibility rule, written as a correlated EXISTS on the member (the
flowing list walks the periods newest first and stops after a page): the same periods, for
every user of the demo and every action, as the IN over every member in scope it replaced."""

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Q

from dangjian.access import scope
from dangjian.access.models import Action
from dangjian.party.models import FlowingPeriod

pytestmark = pytest.mark.django_db


def _by_an_in_over_every_member(user, action):
    return FlowingPeriod.objects.filter(
        Q(member__in=scope.members(user, action).values("pk"))
        | Q(host_party_organization__in=scope.dues_branches(user, action).values("pk"))
    )


def test_every_user_sees_the_same_flowing_periods(demo_federation):
    assert FlowingPeriod.objects.exists()
    seen_some = 0
    for user in get_user_model().objects.order_by("pk"):
        for action in (Action.VIEW, Action.EDIT, Action.EXPORT, Action.VIEW_PERSONAL):
            new = set(scope.visible(FlowingPeriod, user, action).values_list("pk", flat=True))
            old = set(_by_an_in_over_every_member(user, action).values_list("pk", flat=True))
            assert new == old, (user.username, action)
            seen_some += bool(new)
    assert seen_some
