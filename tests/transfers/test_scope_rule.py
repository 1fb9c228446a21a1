"""Who sees a transfer: the rule written as a join per grant on each side
(``scope.dues_branch_q``) gives exactly the rows of its definition — the sending or the
receiving party organization is one whose members the user keeps — for every persona and
action, on the demo's transfers."""

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Q

from dangjian.access import scope
from dangjian.access.models import Action
from dangjian.demo.personas import PERSONAS
from dangjian.transfers.models import Transfer

pytestmark = pytest.mark.django_db


def by_definition(user, action):
    branches = scope.dues_branches(user, action).values("pk")
    keeps = Q(from_party_organization__in=branches) | Q(to_party_organization__in=branches)
    if not [
        g for g in scope.personal_assignments(user, action) if g.role != scope.Role.PARTY_MEMBER
    ]:
        keeps = scope.NOTHING
    own = scope.own_member_ids(user, action)
    if own and action == Action.VIEW:
        keeps |= Q(member_id__in=own)
    return Transfer.objects.filter(keeps)


@pytest.mark.parametrize("username", [p["username"] for p in PERSONAS])
def test_same_transfers_as_the_definition(demo_federation, username):
    assert Transfer.objects.exists()
    user = get_user_model().objects.get(username=username)
    for action in (Action.VIEW, Action.EDIT, Action.APPROVE):
        seen = set(scope.visible(Transfer, user, action).values_list("pk", flat=True))
        assert seen == set(by_definition(user, action).values_list("pk", flat=True)), action
