"""换届提醒 across the officer's party organizations: the list ``party:terms_to_renew``, its
home panel and the query behind both, at the rulebook's reminders (6 and 3 months before the
deadline) and the day after the deadline — the same test as the workspace's reminder
(``party.queries.term_reminder``), hand-computed here."""

import datetime

import pytest
from django.urls import reverse

from dangjian.access import scope
from dangjian.access.models import RoleAssignment
from dangjian.party import queries
from dangjian.party.models import Election, PartyOrganization
from dangjian.party.services import approve_term_extension, record_election
from dangjian.rulebook.periods import add_months

D = datetime.date


def listed(world, day):
    qs = PartyOrganization.objects.filter(federation=world.federation)
    return {p.name for p in queries.terms_to_renew(qs, day)}


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
    reminder = queries.term_reminder(world.branch, day)
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
    assert queries.term_reminder(world.branch, D(2026, 2, 28)).months == 6


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
    assert not queries.terms_to_renew(scope_qs, D(2023, 6, 1)).exists()


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
