"""The supervising unit or registration authority reads reports about its units, never a person
(issue 11, problem 11): instructors, their assignments, unit leaders and visit logs are personal
data, so the one door gives the authority viewer none and their pages answer 404."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from dangjian.access import scope
from dangjian.governance.models import UnitLeader
from dangjian.inspections.models import Visit
from dangjian.party.models import Instructor, InstructorAssignment, PartyMember
from dangjian.registry.models import Organization

pytestmark = pytest.mark.django_db

PERSONAL_MODELS = [Instructor, InstructorAssignment, UnitLeader, Visit, PartyMember]


def _authority():
    return get_user_model().objects.get(username="authority")


def _supervised():
    return scope.organizations(_authority())


@pytest.mark.parametrize("model", PERSONAL_MODELS, ids=lambda m: m.__name__)
def test_the_one_door_gives_the_authority_no_personal_data(model):
    # The authority does see units that have such records (else the test would prove nothing).
    assert _supervised().exists()
    assert scope.visible(model, _authority()).count() == 0
    assert scope.visible(model, _authority(), "export").count() == 0


def test_instructors_of_supervised_units_are_404(persona_client):
    assigned = Instructor.objects.filter(
        assignments__organization__in=_supervised().values("pk")
    ).distinct()
    assert assigned.exists()
    client = persona_client("authority")
    for instructor in assigned:
        for name in ("instructor_detail", "instructor_notice"):
            url = reverse(f"applications:{name}", args=[instructor.pk])
            assert client.get(url).status_code == 404, url
        url = reverse("applications:instructor_visit", args=[instructor.pk])
        assert client.post(url).status_code == 404, url
    listing = client.get(reverse("applications:instructor_list"))
    html = listing.content.decode() if listing.status_code == 200 else ""
    for instructor in assigned:
        assert instructor.name not in html


def test_visit_logs_are_hidden_from_the_authority(persona_client):
    visits = Visit.objects.filter(organization__in=_supervised().values("pk"))
    client = persona_client("authority")
    html = client.get(reverse("inspections:visit_list")).content.decode()
    for visit in visits:
        assert visit.visitors not in html
    # The inspection page lists a unit's recent visits to those who may see them. (Its party
    # section, the annual report the authority receives, names the dispatched instructor as
    # the report form does: see docs/security.md.)
    assert visits.exists()
    for visit in visits[:5]:
        page = client.get(
            reverse("inspections:inspection_edit", args=[visit.organization_id, 2025])
        )
        assert page.status_code == 200
        assert list(page.context["visits"]) == []


def test_people_in_scope_still_see_them(persona_client):
    officer = get_user_model().objects.get(username="officer")
    for model in (Instructor, InstructorAssignment, UnitLeader, Visit):
        assert scope.visible(model, officer).exists(), model.__name__
    assert Organization.objects.exists()
