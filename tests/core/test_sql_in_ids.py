"""``core.sql.in_ids``: a filter ``field IN (…)`` with the ids written into the statement — the
rows named and no others, also as a subquery's condition (its alias resolved), none for no
ids, and more ids than SQLite's default build allows parameters in one statement (32,766)."""

import pytest

from dangjian.core.sql import in_ids
from dangjian.registry.models import Federation, Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def federations():
    return [
        Federation.objects.create(
            name=f"第{i}联合会", short_name=f"第{i}网联", letter_prefix="第", level="city"
        )
        for i in range(4)
    ]


def test_the_named_rows_and_no_others(federations):
    named = [federations[0].pk, federations[2].pk]
    assert set(Federation.objects.filter(in_ids("pk", named)).values_list("pk", flat=True)) == set(
        named
    )
    assert not Federation.objects.filter(in_ids("pk", [])).exists()


def test_inside_a_subquery_the_condition_is_the_inner_rows(federations, demo_federation):
    inner = Federation.objects.filter(in_ids("pk", [federations[1].pk])).values("pk")
    assert list(Federation.objects.filter(pk__in=inner).values_list("pk", flat=True)) == [
        federations[1].pk
    ]
    # The demo's memberships are none of the new federations'.
    assert not Membership.objects.filter(federation__in=inner).exists()
    assert Membership.objects.filter(
        federation__in=Federation.objects.filter(in_ids("pk", [demo_federation.pk])).values("pk")
    ).exists()


def test_more_ids_than_a_statement_may_have_parameters(federations):
    many = [*range(10**6, 10**6 + 40_000), federations[3].pk]
    assert list(Federation.objects.filter(in_ids("pk", many)).values_list("pk", flat=True)) == [
        federations[3].pk
    ]
