"""The demo federation: counts, the four formation modes, and the deliberate problems."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from dangjian.core.validators import validate_id_number, validate_uscc
from dangjian.demo.tianjin_data import PROBLEMS
from dangjian.orglife.models import Meeting
from dangjian.party import term_queries
from dangjian.party.models import Coverage, Employment, PartyMember, PartyOrganization, Position
from dangjian.registry.models import Membership, Organization

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def test_thirty_three_current_member_units(demo_federation):
    current = Membership.objects.valid_on(TODAY).filter(federation=demo_federation)
    assert current.count() == 33
    assert demo_federation.founded_on == datetime.date(2018, 10, 30)
    assert Organization.objects.filter(
        name="天津市网吧行业协会", memberships__valid_to__isnull=False
    ).exists()
    for name in [
        "天津市互联网协会",
        "天津市互联网金融协会",
        "天津市文化传媒商会",
        "天津市大数据协会",
    ]:
        assert Organization.objects.filter(name=name).exists()


def test_all_codes_and_id_numbers_are_valid(demo_federation):
    for org in Organization.objects.all():
        assert validate_uscc(org.uscc) == org.uscc
    for member in PartyMember.objects.all():
        assert validate_id_number(member.id_number) == member.id_number


def test_industry_committee_and_four_formation_modes(demo_federation):
    committee = PartyOrganization.objects.get(name="天津市互联网行业党委")
    assert committee.kind == PartyOrganization.Kind.COMMITTEE
    assert committee.valid_from == demo_federation.founded_on
    modes = set(
        PartyOrganization.objects.exclude(formation_mode="").values_list(
            "formation_mode", flat=True
        )
    )
    assert modes == set(PartyOrganization.FormationMode.values)
    assert PartyOrganization.objects.filter(kind=PartyOrganization.Kind.JOINT_BRANCH).count() == 2


def test_history_spans_years(demo_federation):
    first = Meeting.objects.order_by("held_on").first().held_on
    assert first.year == 2018
    assert Meeting.objects.filter(held_on__year=TODAY.year).exists()
    assert Position.objects.filter(valid_to__isnull=False).exists()


def test_deliberate_problems_are_present_in_the_facts(demo_federation):
    # 应建未建: 4 full members employed, no coverage.
    live = Organization.objects.get(name="天津市网络直播行业协会")
    full = Employment.objects.valid_on(TODAY).filter(
        organization=live, member__full_member_on__lte=TODAY
    )
    assert full.count() == 4
    assert not Coverage.objects.filter(organization=live).exists()
    # No meetings for months.
    ecommerce = PartyOrganization.objects.get(name="天津市电子商务协会党支部")
    last = ecommerce.meetings.order_by("-held_on").first().held_on
    assert (TODAY - last).days >= 180
    # Overdue term.
    software = PartyOrganization.objects.get(name="天津市软件行业协会党支部")
    assert term_queries.term_in_force(software, TODAY).ends_on < TODAY
    # Joint branch above the cap of five units.
    joint2 = PartyOrganization.objects.get(name="网信领域社会组织第二联合党支部")
    assert joint2.coverages.valid_on(TODAY).count() == 6
    # Vacant secretary.
    iot = PartyOrganization.objects.get(name="天津市物联网学会党支部")
    assert not iot.positions.valid_on(TODAY).filter(role="secretary").exists()
    assert {rule for rule, _ in PROBLEMS} >= {"formation.required_not_formed", "terms.overdue"}


def test_healthy_branches_have_current_terms_and_secretaries(demo_federation):
    problem_subjects = {subject for _, subject in PROBLEMS}
    for branch in PartyOrganization.objects.exclude(name__in=problem_subjects):
        assert term_queries.term_in_force(branch, TODAY).ends_on > TODAY, branch
        assert branch.positions.valid_on(TODAY).filter(role="secretary").exists(), branch


def test_id_numbers_are_not_stored_in_clear(demo_federation):
    member = PartyMember.objects.first()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM party_partymember WHERE id = %s", [member.pk])
        stored_id, stored_phone = cursor.fetchone()
    assert member.id_number not in stored_id
    assert stored_id.startswith("enc1:")
    assert member.phone not in stored_phone


def test_command_refuses_to_build_twice(demo_federation):
    with pytest.raises(CommandError, match="已存在"):
        call_command("demo", "--no-migrate")


def test_scale_adds_synthetic_units_deterministically(demo_federation):
    before = Organization.objects.count()
    call_command("demo", "--no-migrate", "--scale", "60", "--seed", "7")
    synthetic = Organization.objects.filter(name__startswith="（合成）")
    assert Organization.objects.count() == before + 60
    assert synthetic.count() == 60
    assert Membership.objects.filter(organization__in=synthetic).count() == 60
    assert PartyMember.objects.filter(employments__organization__in=synthetic).exists()
    assert Meeting.objects.filter(
        party_organization__coverages__organization__in=synthetic
    ).exists()
    for org in synthetic:
        validate_uscc(org.uscc)
