"""The party services' own rules: linking a member is scoped to the federation worked on, a
relation move is dated in the audit trail, and refusals are Chinese ValidationErrors."""

import datetime
import random

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from dangjian.core.models import AuditLog
from dangjian.demo import identity
from dangjian.party import services as party
from dangjian.registry import services as registry
from dangjian.registry.models import Federation

pytestmark = pytest.mark.django_db
D = datetime.date
RNG = random.Random(3)


def _fed_with_member(name):
    fed = registry.create_federation({"name": name, "level": Federation.Level.CITY}, actor=None)
    unit = registry.admit_unit(
        fed,
        {"name": f"{name}协会", "legal_form": "social_group", "category": "association"},
        joined_on=D(2020, 1, 1),
        actor=None,
    ).organization
    data = {
        "name": "甲",
        "gender": "male",
        "id_number": identity.id_number(RNG, D(1980, 3, 3), True),
        "joined_party_on": D(2010, 1, 1),
    }
    member, created = party.register_or_link_member(data, federation=fed, actor=None)
    party.start_employment(member, unit, on=D(2020, 1, 1), actor=None)
    return fed, data, member, created


def test_register_or_link_is_scoped_to_the_federation():
    fed, data, member, created = _fed_with_member("甲联合会")
    assert created
    again, created = party.register_or_link_member(data, federation=fed, actor=None)
    assert again == member and not created
    other = registry.create_federation(
        {"name": "乙联合会", "level": Federation.Level.CITY}, actor=None
    )
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        party.register_or_link_member(data, federation=other, actor=None)
    assert "转接" in exc.value.messages[0] and data["name"] not in exc.value.messages[0]


def test_move_relation_keeps_the_day_in_the_audit_trail():
    fed, _data, member, _ = _fed_with_member("丙联合会")
    branch = party.form_party_organization(
        fed, name="丙支部", kind="branch", valid_from=D(2021, 1, 1), actor=None
    )
    party.move_relation(member, to=branch, on=D(2021, 2, 1), actor=None)
    member.refresh_from_db()
    assert member.relation_party_organization == branch
    event = AuditLog.objects.get(event_type="member.relation_moved", object_id=str(member.pk))
    assert event.changes["on"] == "2021-02-01" and event.changes["after"] == branch.pk
    party.move_relation(member, to="某街道党工委", on=D(2022, 1, 1), actor=None)
    member.refresh_from_db()
    assert member.relation_party_organization is None
    assert member.relation_external == "某街道党工委"


def test_end_dates_are_checked():
    fed, _data, member, _ = _fed_with_member("丁联合会")
    job = member.employments.get()
    with pytest.raises(ValidationError):
        party.close_employment(job, on=D(2019, 12, 31), actor=None)
    party.close_employment(job, on=D(2020, 12, 31), actor=None)
    with pytest.raises(ValidationError):
        party.close_employment(job, on=D(2021, 1, 1), actor=None)
