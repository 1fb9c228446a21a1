"""A federation officer's reach as a set (``scope._few_units``): a federation of at most
``MANY_UNITS`` units (a city's) has its units and party organizations taken as a set, a larger
one (a province's) checked row by row. Both forms must give every model the same rows, for
every persona: here the demo's federations are small, and ``MANY_UNITS = 0`` makes them
"large"."""

import pytest
from django.contrib.auth import get_user_model

from dangjian.access import scope
from dangjian.access.models import Action
from dangjian.access.scope import grants as scope_grants

pytestmark = pytest.mark.django_db


def user(name):
    # A fresh user each time: the grants (and what they cached) are read anew.
    return get_user_model().objects.get(username=name)


def reach(name: str, action: str) -> dict[str, set[int]]:
    someone = user(name)
    return {
        model._meta.label: set(scope.visible(model, someone, action).values_list("pk", flat=True))
        for model in scope.registered_models()
    }


@pytest.mark.parametrize("action", [Action.VIEW, Action.EDIT])
@pytest.mark.parametrize("name", ["officer", "national"])
def test_a_small_federations_reach_as_a_set_is_its_reach_row_by_row(
    demo_federation, monkeypatch, name, action
):
    officer = user(name)
    assert all(scope._few_units(g) for g in scope.current_assignments(officer))
    as_set = reach(name, action)
    monkeypatch.setattr(scope_grants, "MANY_UNITS", 0)
    assert not any(scope._few_units(g) for g in scope.current_assignments(user(name)))
    row_by_row = reach(name, action)
    assert as_set == row_by_row
    # Not an empty comparison: the officer sees units, findings, meetings and members.
    for label in ("registry.Organization", "rules.Finding", "orglife.Meeting", "party.PartyMember"):
        assert as_set[label], label


def test_the_count_is_read_once_per_grant_and_request(demo_federation, django_assert_num_queries):
    grant = scope.current_assignments(user("officer"))[0]
    scope.subtree_ids(grant)
    with django_assert_num_queries(1):
        assert scope._few_units(grant)
        assert scope._few_units(grant)
