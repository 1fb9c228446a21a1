"""A branch formed through the formation workflow is not flagged by any rule on the day it is
approved (issue 10, "Done when") once its members' 组织关系 are in it: the workflow appoints the
secretary and, where the branch is instructor-driven, records the instructor's dispatch to its
units, all through the party services; the relations move only through transfers (issue 13,
point 3), accepted here on the first day."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.applications import services
from dangjian.applications.models import Application, FormationCase
from dangjian.party.models import Employment, Instructor, InstructorAssignment, PartyMember
from dangjian.registry.models import Organization
from dangjian.rules.engine import Engine
from dangjian.transfers import queries as transfer_queries
from dangjian.transfers import services as transfer_services

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def officer(db):
    return get_user_model().objects.get(username="officer")


def _findings_about(federation, party_org, units, day):
    unit_ids = {u.pk for u in units}
    found = Engine(federation, day).evaluate()
    return [
        (rule_id, c.explanation)
        for rule_id, candidates in found.items()
        for c in candidates
        if c.party_organization_id == party_org.pk or c.organization_id in unit_ids
    ]


def _form(case, officer, *, mode, instructor=None):
    units = list(case.units.all())
    secretary = (
        Employment.objects.filter(
            organization__in=units, valid_from__lte=TODAY, member__full_member_on__lte=TODAY
        )
        .order_by("pk")
        .first()
        .member
    )
    case = services.update_formation_case(
        case,
        {
            "mode": mode,
            "established_on": TODAY,
            "approval_doc_no": "津网党〔2026〕21号",
            "approval_date": TODAY,
            "secretary": secretary,
            "instructor": instructor,
        },
        units,
        version=case.version,
        approval_upload=SimpleUploadedFile("批文.pdf", PDF, content_type="application/pdf"),
        actor=officer,
    )
    case = services.submit_formation_case(case, version=case.version, actor=officer)
    return services.approve_formation_case(case, version=case.version, actor=officer)


def _receive_from_outside(members, branch, officer):
    """Each member arrives with a printed letter from outside the system, accepted today."""
    for n, member in enumerate(members.order_by("pk"), start=1):
        transfer_services.receive_from_outside(
            member,
            to=branch,
            from_external="天津市非公有制经济组织综合党委",
            external_letter_no=f"津非公党组〔2026〕{n}号",
            issued_on=TODAY,
            valid_days=30,
            accepted_on=TODAY,
            actor=officer,
        )


def test_branch_formed_from_an_application_is_not_flagged_on_its_first_day(
    demo_federation, officer
):
    application = Application.objects.get(name="天津市数字内容创作者协会")
    services.approve_application(
        application, version=application.version, role="member", joined_on=TODAY, actor=officer
    )
    case = FormationCase.objects.get(application=application)
    branch = _form(case, officer, mode="in_member_unit")
    units = list(case.units.all())
    employed = PartyMember.objects.filter(employments__organization__in=units).distinct()
    assert employed.count() >= 3
    # Approval moves no relation: the demo's applicants hold theirs outside the system (a
    # 综合党委), so none is offered to transfer in; each arrives with a printed letter, accepted
    # today, and the branch holds them from today.
    assert set(employed.values_list("relation_party_organization", flat=True)) == {None}
    assert not transfer_queries.transfer_in_offer(branch, units, TODAY).exists()
    _receive_from_outside(employed, branch, officer)
    assert set(employed.values_list("relation_party_organization", flat=True)) == {branch.pk}
    assert _findings_about(demo_federation, branch, units, TODAY) == []


def test_instructor_driven_branch_gets_its_dispatch_and_is_not_flagged(demo_federation, officer):
    unit = Organization.objects.get(name="天津市网络直播行业协会")
    case = services.open_formation_case(
        demo_federation,
        [unit],
        name="天津市网络直播行业协会党支部",
        kind="branch",
        mode="instructor_driven",
        parent=services.federation_committee(demo_federation),
        actor=officer,
    )
    instructor = Instructor.objects.filter(notice_no__gt="").order_by("pk").first()
    assert not InstructorAssignment.objects.filter(
        instructor=instructor, organization=unit
    ).exists()
    branch = _form(case, officer, mode="instructor_driven", instructor=instructor)
    assignment = InstructorAssignment.objects.get(instructor=instructor, organization=unit)
    assert assignment.valid_from <= TODAY and assignment.notice_no == instructor.notice_no
    # Its members' relations are held outside the system: the letters received move them.
    assert not transfer_queries.transfer_in_offer(branch, [unit], TODAY).exists()
    employed = PartyMember.objects.filter(
        employments__organization=unit, relation_party_organization__isnull=True
    ).distinct()
    _receive_from_outside(employed, branch, officer)
    assert _findings_about(demo_federation, branch, [unit], TODAY) == []
