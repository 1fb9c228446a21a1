"""Transfers through the services, hand-computed: the letter's number, its validity to the day,
the relation moving only on the acceptance day (through move_relation), receipts, two officers
accepting at once, and the refusals (own branch, a branch that no longer exists, an expired
letter)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from dangjian.core.errors import Conflict
from dangjian.party.queries import relation_counts, relation_on
from dangjian.party.services import dissolve_party_organization
from dangjian.transfers import queries, services
from dangjian.transfers.models import Transfer

D = datetime.date
ONE = datetime.timedelta(days=1)


ISSUED = D(2026, 3, 1)


def issue(world, to=None, on=ISSUED, **more):
    return services.issue_transfer(
        world.member, to=to or world.a2, issued_on=on, actor=world.officer_a, **more
    )


def test_the_letter_is_numbered_in_the_federations_register_without_gaps(world):
    first = issue(world)
    other = world.new_member("第二位党员", world.a1)
    second = services.issue_transfer(
        other, to=world.b1, issued_on=D(2026, 3, 2), actor=world.officer_a
    )
    prefix = world.fed_a.letter_prefix
    assert (first.letter_no, second.letter_no) == (
        f"{prefix}组〔2026〕1号",
        f"{prefix}组〔2026〕2号",
    )
    assert first.valid_days == 90  # the rulebook's default


def test_validity_counts_the_day_of_issue(world):
    t = issue(world, valid_days=30)
    assert t.valid_until == D(2026, 3, 30)
    assert not t.expired_on(D(2026, 3, 30)) and t.expired_on(D(2026, 3, 31))


def test_validity_beyond_the_rulebooks_maximum_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        issue(world, valid_days=91)
    assert "1 至 90 天" in str(exc.value) or "90" in str(exc.value)


def test_the_relation_moves_only_on_the_acceptance_day(world):
    t = issue(world)
    services.accept_transfer(t, version=t.version, on=D(2026, 3, 10), actor=world.secretary_a2)
    assert relation_on(world.member, D(2026, 3, 9)).party_organization == world.a1
    assert relation_on(world.member, D(2026, 3, 10)).party_organization == world.a2
    # Both branches' counts change on that day, not before.
    assert relation_counts([world.a1, world.a2], D(2026, 3, 9)) == {world.a1.pk: 1}
    assert relation_counts([world.a1, world.a2], D(2026, 3, 10)) == {world.a2.pk: 1}
    t.refresh_from_db()
    assert t.status == Transfer.Status.ACCEPTED and t.receipt_on == D(2026, 3, 10)


def test_accepting_on_the_last_valid_day_works_and_the_day_after_is_refused(world):
    t = issue(world, valid_days=10)  # valid 2026-03-01 .. 2026-03-10
    with pytest.raises(ValidationError) as exc:
        services.accept_transfer(t, version=t.version, on=D(2026, 3, 11), actor=world.officer_a)
    assert "已过期" in str(exc.value) and "组通字" in str(exc.value)
    t.refresh_from_db()
    services.accept_transfer(t, version=t.version, on=D(2026, 3, 10), actor=world.officer_a)


def test_two_officers_accepting_one_wins_the_other_is_told(world):
    t = issue(world, to=world.b1)
    services.accept_transfer(t, version=t.version, on=D(2026, 3, 5), actor=world.officer_b)
    with pytest.raises(Conflict):
        services.accept_transfer(t, version=t.version, on=D(2026, 3, 6), actor=world.officer_b)
    t.refresh_from_db()
    with pytest.raises(Conflict) as exc:
        services.accept_transfer(t, version=t.version, on=D(2026, 3, 6), actor=world.officer_b)
    assert "已被接收" in str(exc.value)
    assert relation_on(world.member, D(2026, 3, 6)).party_organization == world.b1


def test_a_transfer_to_the_members_own_branch_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        issue(world, to=world.a1)
    assert "已在该党组织" in str(exc.value)


def test_a_transfer_to_a_branch_that_no_longer_exists_is_refused(world):
    dissolve_party_organization(world.a2, on=D(2026, 1, 31), actor=None)
    world.a2.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        issue(world)
    assert "不存在" in str(exc.value)


def test_a_second_pending_transfer_is_refused(world):
    issue(world)
    with pytest.raises(ValidationError) as exc:
        issue(world, to=world.b1)
    assert "等待接收" in str(exc.value)


def test_out_of_the_system_the_receipt_moves_the_relation(world):
    t = issue(world, to="北京市某区某街道党工委")
    assert t.is_out_of_system and t.to_party_organization is None
    services.record_receipt(
        t,
        version=t.version,
        received_on=D(2026, 3, 20),
        accepted_on=D(2026, 3, 12),
        actor=world.officer_a,
    )
    assert relation_on(world.member, D(2026, 3, 11)).party_organization == world.a1
    assert relation_on(world.member, D(2026, 3, 12)).external == "北京市某区某街道党工委"
    t.refresh_from_db()
    assert (t.accepted_on, t.receipt_on) == (D(2026, 3, 12), D(2026, 3, 20))


def test_overdue_boundaries(world):
    # Within the system: valid 2026-03-01 .. 2026-05-29 (90 days); overdue from 2026-05-30.
    t = issue(world)
    transfers = Transfer.objects.filter(pk=t.pk)
    assert queries.overdue(transfers, D(2026, 5, 29)) == []
    [row] = queries.overdue(transfers, D(2026, 5, 30))
    assert (row.what, row.since) == ("expired", D(2026, 5, 30))


def test_receipt_of_a_letter_out_of_the_system_is_due_a_month_after_its_validity(world):
    t = issue(world, to="系统外某党委", valid_days=30)  # valid until 2026-03-30
    assert queries.receipt_due(t) == D(2026, 4, 30)
    transfers = Transfer.objects.filter(pk=t.pk)
    assert [r.what for r in queries.overdue(transfers, D(2026, 4, 30))] == ["expired"]
    [row] = queries.overdue(transfers, D(2026, 5, 1))
    assert (row.what, row.since) == ("receipt", D(2026, 5, 1))


def test_a_letter_from_outside_is_received_and_our_receipt_is_due_in_a_month(world):
    newcomer = world.new_member("外来党员", world.b1)
    t = services.receive_from_outside(
        newcomer,
        to=world.a1,
        from_external="上海市某党委",
        external_letter_no="沪组〔2026〕88号",
        issued_on=D(2026, 2, 1),
        valid_days=90,
        accepted_on=D(2026, 2, 15),
        actor=world.officer_a,
    )
    assert relation_on(newcomer, D(2026, 2, 15)).party_organization == world.a1
    assert queries.receipt_due(t) == D(2026, 3, 15)
    transfers = Transfer.objects.filter(pk=t.pk)
    assert queries.overdue(transfers, D(2026, 3, 15)) == []
    assert [r.what for r in queries.overdue(transfers, D(2026, 3, 16))] == ["receipt"]
    services.record_receipt_sent(
        t, version=t.version, sent_on=D(2026, 3, 16), actor=world.officer_a
    )
    assert queries.overdue(transfers, D(2026, 4, 1)) == []


def test_cancel_needs_a_reason_and_leaves_the_member_where_they_are(world):
    t = issue(world)
    with pytest.raises(ValidationError):
        services.close_transfer(
            t,
            version=t.version,
            status=Transfer.Status.CANCELLED,
            reason=" ",
            actor=world.officer_a,
        )
    services.close_transfer(
        t,
        version=t.version,
        status=Transfer.Status.CANCELLED,
        reason="本人撤回申请",
        actor=world.officer_a,
    )
    assert relation_on(world.member, D(2026, 4, 1)).party_organization == world.a1
    assert not queries.pending(world.member).exists()
