"""The coverage page's figures in one pass: ``coverage.all_breakdowns`` gives exactly what
``compute`` and ``breakdown`` give, dimension by dimension, and the page reads them with a
fixed, small number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dangjian.party.models import PartyOrganization
from dangjian.rules import coverage
from dangjian.rules.coverage import Rates, Scope

pytestmark = pytest.mark.django_db
D = datetime.date


def _separately(scope, day):
    return coverage.compute(scope, day), {
        d: coverage.breakdown(scope, day, d) for d in coverage.DIMENSIONS
    }


@pytest.mark.parametrize("day", [D(2021, 1, 1), D(2025, 1, 1)])
def test_one_pass_equals_each_figure_computed_alone(world, day):
    a = world.unit("甲协会", full=5, district="和平区")
    b = world.unit("乙商会", full=1, category="chamber", district="河西区")
    c = world.unit("丙公司", full=1, legal_form="enterprise", category="enterprise")
    world.unit("丁研究院", legal_form="private_non_enterprise", category="institute")
    world.unit("戊协会", left=D(2024, 6, 30))
    world.party_org("甲协会党支部", units=[a], valid_from=D(2020, 1, 1))
    world.party_org(
        "联合党支部",
        kind=PartyOrganization.Kind.JOINT_BRANCH,
        units=[b, c],
        valid_from=D(2022, 7, 1),
    )
    world.instructor(c, valid_from=D(2021, 3, 1))
    scope = Scope(world.fed)
    rates, by = _separately(scope, day)
    figures = coverage.all_breakdowns(scope, day)
    assert figures.rates == rates
    assert figures.by == by
    if day == D(2025, 1, 1):
        # By hand: 4 members (戊 left), covered 甲 乙 丙, own 甲, work the same.
        assert figures.rates == Rates(4, 3, 1, 3)
        assert dict(figures.by["sector"])["enterprise"] == Rates(1, 1, 0, 1)


def test_one_pass_on_the_demo_and_within_a_filtered_scope(demo_federation):
    today = timezone.localdate()
    for scope in (
        Scope(demo_federation),
        Scope(demo_federation, sector="social"),
        Scope(demo_federation, category="association"),
    ):
        rates, by = _separately(scope, today)
        figures = coverage.all_breakdowns(scope, today)
        assert (figures.rates, figures.by) == (rates, by)


def test_the_coverage_page_counts_once(officer_client, demo_federation):
    url = reverse("rules:coverage")
    query = {"federation": demo_federation.pk}
    officer_client.get(url, query)
    with CaptureQueriesContext(connection) as queries:
        response = officer_client.get(url, query)
    assert response.status_code == 200
    grouped = [q["sql"] for q in queries.captured_queries if "COALESCE(SUM(f.cov)" in q["sql"]]
    # One grouped statement for the headline and all five breakdowns (seven before).
    assert len(grouped) == 1
    # Sign-in and scope (6), the grouped statement in its transaction (3), the trend's
    # snapshots, the form's federations, the session (measured: 14 with BEGIN/COMMIT pairs on
    # SQLite; 15 on PostgreSQL, which sets the statement's work_mem and reads the federations
    # through a server-side cursor).
    bound = 15 if connection.vendor == "postgresql" else 14
    assert len(queries.captured_queries) <= bound, "\n".join(
        q["sql"][:160] for q in queries.captured_queries
    )
