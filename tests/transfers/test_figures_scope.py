"""The transfers page's figures name the branches kept by the viewer through the scope's join
per grant (``access.scope.dues_branch_q``); the dashboard passes the branches as a queryset.
Both forms count the same, hand-computed, for an officer and for each branch's secretary."""

import datetime
import functools

from dangjian.access import scope
from dangjian.access.models import Action
from dangjian.party.models import StandingDecision
from dangjian.party.services import record_standing_decision, register_flowing
from dangjian.transfers import queries, services

D = datetime.date
DAY = D(2026, 6, 1)


def both(user):
    by_join = queries.figures(functools.partial(scope.dues_branch_q, user, Action.VIEW), DAY)
    by_set = queries.figures(scope.dues_branches(user, Action.VIEW).values("pk"), DAY)
    assert by_join == by_set
    return by_join


def test_figures_by_the_scopes_join_count_as_by_the_branches(world):
    services.issue_transfer(
        world.member, to=world.b1, issued_on=D(2026, 3, 2), actor=world.officer_a
    )  # pending into the other federation's branch; expired after its 30 days
    away = world.new_member("流动党员", world.a2)
    register_flowing(away, since=D(2026, 1, 10), whereabouts="上海", actor=None)
    lost = world.new_member("失联党员", world.a2)
    record_standing_decision(
        lost,
        kind=StandingDecision.Kind.LOST_CONTACT,
        decided_on=D(2026, 2, 1),
        decided_by="第二党支部",
        actor=None,
    )
    f = both(world.officer_a)
    assert (f.pending, f.overdue, f.flowing, f.lost_contact) == (1, 1, 1, 1)
    f = both(world.secretary_a1)
    assert (f.pending, f.overdue, f.flowing, f.lost_contact) == (1, 1, 0, 0)
    f = both(world.secretary_a2)
    assert (f.pending, f.overdue, f.flowing, f.lost_contact) == (0, 0, 1, 1)
    # The receiving federation sees the letter awaiting it, and that it expired.
    f = both(world.officer_b)
    assert (f.pending, f.overdue, f.flowing, f.lost_contact) == (1, 1, 0, 0)
