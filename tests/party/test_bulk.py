"""The bulk forms the ledger import and the demo call: they write what the single-row services
write, with one audit event per call for new rows and a record per changed row."""

import datetime
import random

import pytest

from dangjian.core.models import AuditLog
from dangjian.demo import identity
from dangjian.orglife.services import record_meetings_bulk, update_meetings_bulk
from dangjian.party import bulk
from dangjian.party.models import Coverage, Employment, PartyMember
from dangjian.registry import services as registry
from dangjian.registry.models import Federation, Membership

pytestmark = pytest.mark.django_db
D = datetime.date
RNG = random.Random(7)


def test_units_members_jobs_coverage_posts_instructors_meetings_in_bulk():
    fed = registry.create_federation(
        {"name": "批量测试联合会", "level": Federation.Level.CITY}, actor=None
    )
    memberships = registry.admit_units_bulk(
        fed,
        [
            {
                "unit": {
                    "name": f"批量协会{i}",
                    "uscc": identity.social_credit_code(RNG, "51"),
                    "legal_form": "social_group",
                    "category": "association",
                },
                "role": "director" if i == 0 else None,
                "valid_from": D(2020, 1, 1),
            }
            for i in range(3)
        ],
        actor=None,
        note="test",
    )
    assert [m.role for m in memberships] == ["director", "member", "member"]
    units = [m.organization_id for m in memberships]
    assert Membership.objects.filter(federation=fed).count() == 3
    numbers = [identity.id_number(RNG, D(1985, 5, i + 1), True) for i in range(4)]
    members = bulk.create_members_bulk(
        [
            {
                "name": f"批量党员{i}",
                "gender": "male",
                "id_number": n,
                "joined_party_on": D(2010, 1, 1),
                "full_member_on": D(2011, 1, 1),
            }
            for i, n in enumerate(numbers)
        ],
        actor=None,
    )
    stored = PartyMember.objects.get(pk=members[0].pk)
    assert stored.id_number == numbers[0] and stored.birth_date == D(1985, 5, 1)
    assert stored.id_number_hash and stored.id_number_hash == members[0].id_number_hash
    jobs = bulk.start_employments_bulk(
        [
            {"member_id": m.pk, "organization_id": units[0], "valid_from": D(2020, 1, 1)}
            for m in members
        ],
        actor=None,
    )
    assert Employment.objects.filter(organization_id=units[0]).count() == 4
    assert bulk.close_employments_bulk([(jobs[0], D(2021, 1, 1))], actor=None) == 1
    assert (
        bulk.update_members_bulk(
            [(stored, {"phone": "13800000000"}), (members[1], {"name": members[1].name})],
            actor=None,
        )
        == 1
    )
    assert PartyMember.objects.get(pk=stored.pk).phone == "13800000000"
    (branch,) = bulk.form_party_organizations_bulk(
        fed,
        [
            {
                "name": "批量党支部",
                "kind": "branch",
                "valid_from": D(2020, 6, 1),
                "units": units[:1],
            }
        ],
        actor=None,
    )
    (coverage,) = Coverage.objects.filter(party_organization=branch)
    assert coverage.valid_from == D(2020, 6, 1) and coverage.kind == "own"
    assert bulk.end_coverages_bulk([(coverage, D(2024, 1, 1))], actor=None) == 1
    bulk.appoint_positions_bulk(
        [
            {
                "party_organization_id": branch.pk,
                "member_id": members[1].pk,
                "role": "secretary",
                "valid_from": D(2020, 6, 1),
            }
        ],
        actor=None,
    )
    assert bulk.move_relations_of_units(branch, units[:1], on=D(2020, 6, 1), actor=None) == 4
    (instructor,) = bulk.appoint_instructors_bulk(
        [{"name": "批量指导员", "dispatched_by": "测试党委", "valid_from": D(2020, 1, 1)}],
        actor=None,
    )
    bulk.assign_instructors_bulk(
        [{"instructor": instructor, "organization_id": units[2], "valid_from": D(2020, 2, 1)}],
        actor=None,
    )
    (meeting,) = record_meetings_bulk(
        [{"party_organization_id": branch.pk, "kind": "party_lesson", "held_on": D(2021, 3, 1)}],
        actor=None,
        today=D(2025, 1, 1),
    )
    assert update_meetings_bulk([(meeting, {"present_count": 3})], actor=None) == 1
    events = set(AuditLog.objects.filter(action="event").values_list("event_type", flat=True))
    assert {
        "registry.units_admitted",
        "party.members_created",
        "party.employments_started",
        "party.positions_appointed",
        "party.instructors_appointed",
        "party.instructors_assigned",
        "orglife.meetings_recorded",
        "member.relation_moved",
    } <= events


def test_bulk_refuses_an_end_before_the_start():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        bulk.add_coverages_bulk(
            [
                {
                    "party_organization_id": 1,
                    "organization_id": 1,
                    "valid_from": D(2020, 1, 2),
                    "valid_to": D(2020, 1, 1),
                }
            ],
            actor=None,
        )


def _members_with_jobs(count: int):
    fed = registry.create_federation(
        {"name": f"批量更新联合会{count}", "level": Federation.Level.CITY}, actor=None
    )
    [membership] = registry.admit_units_bulk(
        fed,
        [
            {
                "unit": {
                    "name": f"批量更新协会{count}",
                    "uscc": identity.social_credit_code(RNG, "51"),
                    "legal_form": "social_group",
                    "category": "association",
                },
                "valid_from": D(2020, 1, 1),
            }
        ],
        actor=None,
        note="test",
    )
    members = bulk.create_members_bulk(
        [
            {
                "name": f"更新党员{count}-{i}",
                "gender": "female",
                "id_number": identity.id_number(RNG, D(1980, 1, 1) + datetime.timedelta(i), False),
                "phone": f"1390000{i:04d}",
                "joined_party_on": D(2010, 1, 1),
            }
            for i in range(count)
        ],
        actor=None,
    )
    jobs = bulk.start_employments_bulk(
        [
            {"member_id": m.pk, "organization_id": membership.organization_id, "job_title": "干事",
             "valid_from": D(2020, 1, 1)}
            for m in members
        ],
        actor=None,
    )  # fmt: skip
    return members, jobs, membership.organization


@pytest.mark.parametrize("count", [3, 40])
def test_bulk_updates_and_ends_leave_one_record_each_in_a_fixed_number_of_queries(
    count, django_assert_max_num_queries
):
    """A ledger re-import changes thousands of rows at once: each changed row still gets its
    own record naming it ("member @ unit"), and the statements do not grow with the rows
    (one query per record for the names took 100,000 employments 65 s)."""
    members, jobs, unit = _members_with_jobs(count)
    fresh = list(Employment.objects.filter(pk__in=[j.pk for j in jobs]).order_by("pk"))
    with django_assert_max_num_queries(12):
        changed = bulk.update_employments_bulk(
            [(job, {"job_title": "副秘书长"}) for job in fresh], actor=None, note="台账导入"
        )
    assert changed == count
    assert set(
        Employment.objects.filter(member__in=members).values_list("job_title", flat=True)
    ) == {"副秘书长"}
    records = AuditLog.objects.filter(
        object_type="party.employment", action=AuditLog.Action.UPDATE, note="台账导入"
    ).order_by("object_id")
    assert records.count() == count
    first = records.get(object_id=str(fresh[0].pk))
    assert first.object_repr == f"{members[0].name} @ {unit.name}"
    assert first.changes == {"fields": {"job_title": ["干事", "副秘书长"]}}
    # Ending them: the same, one record each with the new end.
    fresh = list(Employment.objects.filter(pk__in=[j.pk for j in jobs]).order_by("pk"))
    with django_assert_max_num_queries(12):
        ended = bulk.close_employments_bulk(
            [(job, D(2025, 6, 30)) for job in fresh], actor=None, note="离职"
        )
    assert ended == count
    assert not Employment.objects.filter(member__in=members, valid_to__isnull=True).exists()
    closing = AuditLog.objects.get(object_id=str(fresh[-1].pk), note="离职")
    assert closing.changes == {"fields": {"valid_to": [None, "2025-06-30"]}}
    assert closing.object_repr == f"{members[-1].name} @ {unit.name}"


def test_a_phone_changed_within_its_hidden_digits_still_leaves_a_record():
    """The trail keeps phones masked (139****0001): a new number with the same first three
    and last four digits compares equal there, yet the change is recorded, with its note."""
    members, _jobs, _unit = _members_with_jobs(2)
    member = PartyMember.objects.get(pk=members[1].pk)
    assert member.phone == "13900000001"
    assert bulk.update_members_bulk([(member, {"phone": "13912340001"})], actor=None, note="更正")
    assert PartyMember.objects.get(pk=member.pk).phone == "13912340001"
    record = AuditLog.objects.get(object_id=str(member.pk), note="更正")
    assert record.action == AuditLog.Action.UPDATE and record.changes == {"fields": {}}
    assert "13912340001" not in str(record.changes) and record.object_repr == member.name
