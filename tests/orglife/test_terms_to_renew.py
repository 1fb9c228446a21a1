"""换届提醒 across the officer's party organizations: the list ``party:terms_to_renew``, its
home panel and the query behind both, at the rulebook's reminders (6 and 3 months before the
deadline) and the day after the deadline — the same test as the workspace's reminder
(``party.term_queries.term_reminder``), hand-computed here."""

import datetime
import io

import pytest
from django.urls import reverse

from dangjian.access import scope
from dangjian.access.models import RoleAssignment
from dangjian.core.models import valid_on_q
from dangjian.party import term_queries
from dangjian.party.models import Election, PartyOrganization
from dangjian.party.services import approve_term_extension, record_election
from dangjian.rulebook.periods import add_months

D = datetime.date


def listed(world, day):
    qs = PartyOrganization.objects.filter(federation=world.federation)
    return {p.name for p in term_queries.terms_to_renew(qs, day)}


def elect(world, held_on):
    record_election(world.branch, held_on=held_on, kind=Election.Kind.GENERAL, actor=None)


# Elected 2023-03-10 for 3 years: the term ends 2026-03-10. 6 months before is 2025-09-10,
# 3 months before 2025-12-10; overdue from 2026-03-11. The other branch, founded 2020-01-01
# with no election recorded, ended its first term on 2023-01-01: overdue on every day here.
@pytest.mark.parametrize(
    ("day", "months", "overdue"),
    [
        (D(2025, 9, 9), None, None),  # one day before the 6-month reminder
        (D(2025, 9, 10), 6, False),  # exactly 6 months before
        (D(2025, 12, 9), 6, False),
        (D(2025, 12, 10), 3, False),  # exactly 3 months before
        (D(2026, 3, 10), 3, False),  # the last day of the term
        (D(2026, 3, 11), None, True),  # the day after the end
    ],
)
def test_the_list_holds_a_term_from_its_6_month_reminder(world, day, months, overdue):
    elect(world, D(2023, 3, 10))
    names = listed(world, day)
    assert world.other.name in names
    reminder = term_queries.term_reminder(world.branch, day)
    if overdue is None:
        assert world.branch.name not in names and reminder is None
    else:
        assert world.branch.name in names
        assert reminder is not None
        assert (reminder.months, reminder.overdue) == (months, overdue)


def test_a_term_ending_on_the_31st_is_reminded_from_the_end_of_february(world):
    # Ends 2026-08-31; 6 months before, add_months clips to 2026-02-28.
    elect(world, D(2023, 8, 31))
    assert world.branch.name not in listed(world, D(2026, 2, 27))
    assert world.branch.name in listed(world, D(2026, 2, 28))
    assert term_queries.term_reminder(world.branch, D(2026, 2, 28)).months == 6


def test_an_approved_extension_moves_the_deadline(world):
    elect(world, D(2023, 3, 10))
    approve_term_extension(
        world.branch,
        approved_on=D(2026, 2, 1),
        approved_by="上级党委",
        extended_until=D(2026, 12, 31),
        actor=None,
    )
    # On 2026-03-11 the term has ended but runs on until 2026-12-31: more than 6 months off.
    assert world.branch.name not in listed(world, D(2026, 3, 11))
    # 6 months before 2026-12-31 is 2026-06-30.
    assert world.branch.name not in listed(world, D(2026, 6, 29))
    assert world.branch.name in listed(world, D(2026, 6, 30))
    assert world.branch.name in listed(world, D(2027, 1, 1))


def test_a_dissolved_organization_is_not_listed(world):
    scope_qs = PartyOrganization.objects.filter(pk=world.other.pk)
    PartyOrganization.objects.filter(pk=world.other.pk).update(valid_to=D(2022, 12, 31))
    assert not term_queries.terms_to_renew(scope_qs, D(2023, 6, 1)).exists()


def test_the_officer_sees_the_list_and_the_count_on_the_home_page(world):
    today = datetime.date.today()
    # The branch's term ends in 2 months (within the 3-month reminder).
    elect(world, add_months(today, 2 - 36))
    officer = world.user(RoleAssignment.Role.FEDERATION_OFFICER, federation=world.federation)
    # Another federation's overdue branch stays out of this officer's list.
    from tests.orglife.conftest import Branch

    stranger = Branch()
    client = world.client(officer)
    page = client.get(reverse("party:terms_to_renew")).content.decode()
    assert 'id="terms-to-renew"' in page
    assert world.branch.name in page and world.other.name in page
    assert f">{stranger.other.name}</a>" not in page
    assert "逾期" in page  # the other branch's line says how long overdue
    home = client.get(reverse("home")).content.decode()
    assert 'id="panel-party-terms"' in home
    assert reverse("party:terms_to_renew") in home
    assert scope.party_organizations(officer).count() == 2


def test_a_secretary_gets_no_officer_panel(world):
    home = world.client(world.secretary_user).get(reverse("home")).content.decode()
    assert 'id="panel-party-terms"' not in home


@pytest.mark.parametrize("day", [D(2019, 6, 30), D(2024, 12, 31), D(2026, 6, 30), D(2027, 3, 1)])
def test_the_list_is_every_organization_the_workspace_would_remind(demo_federation, day):
    """The set query (one anti-join for the term in force) against its definition, the
    per-organization reminder, over every party organization of the demo on days before,
    inside and after their terms — committees of five years, branches of three, never
    elected ones and dissolved ones."""
    everyone = PartyOrganization.objects.select_related("federation")
    expected = {
        p.pk
        for p in everyone
        if p.valid_from <= day
        and (p.valid_to is None or p.valid_to >= day)
        and term_queries.term_reminder(p, day) is not None
    }
    found = set(term_queries.terms_to_renew(everyone, day).values_list("pk", flat=True))
    assert found == expected
    assert term_queries.terms_to_renew(everyone, day).count() == len(expected)


# -- the kept deadline (PartyOrganization.term_deadline) behind the count -------------------------


def kept(party_org):
    return PartyOrganization.objects.values_list("term_deadline", flat=True).get(pk=party_org.pk)


def test_every_writer_of_a_term_keeps_the_deadline(world):
    from django.core.management import call_command

    from dangjian.party.services import (
        remove_election,
        remove_term_extension,
        update_election,
        update_term_extension,
    )

    # Never elected: no kept deadline (the first term counts from the founding).
    assert kept(world.branch) is None
    elect(world, D(2023, 3, 10))
    assert kept(world.branch) == D(2026, 3, 10)  # 3 years
    election = Election.objects.get(party_organization=world.branch, held_on=D(2023, 3, 10))
    update_election(election, {"term_years": 5}, actor=None)
    assert kept(world.branch) == D(2028, 3, 10)
    update_election(election, {"term_years": 3}, actor=None)
    extension = approve_term_extension(
        world.branch,
        approved_on=D(2026, 2, 1),
        approved_by="上级党委",
        extended_until=D(2026, 12, 31),
        actor=None,
    )
    assert kept(world.branch) == D(2026, 12, 31)
    update_term_extension(extension, {"extended_until": D(2026, 9, 30)}, actor=None)
    assert kept(world.branch) == D(2026, 9, 30)
    remove_term_extension(extension, actor=None)
    assert kept(world.branch) == D(2026, 3, 10)
    # A by-election starts no term and moves nothing.
    record_election(world.branch, held_on=D(2024, 5, 1), kind=Election.Kind.BY_ELECTION, actor=None)
    assert kept(world.branch) == D(2026, 3, 10)
    elect(world, D(2026, 3, 1))
    assert kept(world.branch) == D(2029, 3, 1)
    remove_election(
        Election.objects.get(party_organization=world.branch, held_on=D(2026, 3, 1)), actor=None
    )
    assert kept(world.branch) == D(2026, 3, 10)

    # The rebuild finds nothing to repair, then repairs a deadline written behind its back.
    out = io.StringIO()
    call_command("term_deadlines", stdout=out)
    assert "0 个" in out.getvalue()
    PartyOrganization.objects.filter(pk=world.branch.pk).update(term_deadline=D(2030, 1, 1))
    out = io.StringIO()
    call_command("term_deadlines", stdout=out)
    assert "1 个" in out.getvalue()
    assert kept(world.branch) == D(2026, 3, 10)


def test_a_day_before_the_latest_election_reads_the_elections_themselves(world):
    elect(world, D(2020, 3, 10))
    elect(world, D(2023, 3, 10))
    # On 2022-12-01 the term in force is the 2020 one (deadline 2023-03-10, within 6 months);
    # the kept deadline (2026-03-10) is the later term's and must not be read for that day.
    assert not term_queries.kept_deadlines_hold(D(2022, 12, 1))
    assert world.branch.name in listed(world, D(2022, 12, 1))
    assert term_queries.kept_deadlines_hold(datetime.date.today())
    assert world.branch.name not in listed(world, D(2023, 3, 10))


@pytest.mark.parametrize("months_ahead", [0, 3, 14])
def test_the_kept_deadlines_give_the_list_the_elections_give(demo_federation, months_ahead):
    """Both ways of deciding, on every party organization of the demo (its synthetic and its
    hand-made elections each written by their own path), on days after its last election:
    the kept deadlines, and the elections read directly."""
    day = add_months(datetime.date.today(), months_ahead)
    everyone = PartyOrganization.objects.all()
    groups = term_queries.term_groups(day)
    assert term_queries.kept_deadlines_hold(day)
    kept_way = set(
        everyone.filter(valid_on_q(day), term_queries.kept_deadline_reached_q(groups)).values_list(
            "pk", flat=True
        )
    )
    from_elections = set(
        term_queries.reached_from_elections(everyone, day, groups).values_list("pk", flat=True)
    )
    assert kept_way == from_elections
    assert from_elections  # the demo has terms to renew on each of these days


def test_a_federation_with_its_own_term_parameters_is_decided_by_them(world):
    """Two groups of federations: this one reminds 12 months ahead and counts a never
    elected branch's first term as 5 years; every other federation keeps the rulebook's."""
    from dangjian.rulebook.models import RuleOverride

    RuleOverride.objects.create(
        federation=world.federation,
        rule_id="terms.overdue",
        valid_from=D(2018, 1, 1),
        parameters={"reminder_months": [12], "branch_term_years": 5},
    )
    record_election(  # 3 years, as the election says: ends 2026-03-10
        world.branch, held_on=D(2023, 3, 10), kind=Election.Kind.GENERAL, term_years=3, actor=None
    )
    groups = term_queries.term_groups(D(2025, 3, 10))
    assert len(groups) == 2
    mine = next(g for g in groups if g.federation_ids and world.federation.pk in g.federation_ids)
    assert (mine.branch_years, mine.limit) == (5, D(2026, 3, 10))
    # 12 months before the end: reminded here (6 months elsewhere).
    assert world.branch.name not in listed(world, D(2025, 3, 9))
    assert world.branch.name in listed(world, D(2025, 3, 10))
    # The other branch (founded 2020-01-01, never elected): its first term is 5 years here,
    # ending 2025-01-01, reminded from 2024-01-01.
    assert world.other.name not in listed(world, D(2023, 12, 31))
    assert world.other.name in listed(world, D(2024, 1, 1))
    assert term_queries.term_reminder(world.other, D(2023, 12, 31)) is None
    assert term_queries.term_reminder(world.other, D(2024, 1, 1)) is not None
