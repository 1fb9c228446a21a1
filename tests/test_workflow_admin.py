"""Workflow records are shown in the admin for support but never edited there: their pages and
services keep the state machine, versions and audit. Personal fields stay off the page."""

import pytest
from django.urls import NoReverseMatch, reverse

from dangjian.applications.models import Application

pytestmark = pytest.mark.django_db

WORKFLOW_MODELS = [
    "applications_application",
    "applications_formationcase",
    "applications_invitation",
    "cases_campaign",
    "cases_submission",
    "notices_notice",
    "notices_receipt",
    "recognition_recognition",
]


@pytest.mark.parametrize("name", WORKFLOW_MODELS)
def test_workflow_admin_lists_but_cannot_add(persona_client, name):
    client = persona_client("admin")
    assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:{name}_add")).status_code == 403


def test_application_admin_is_read_only_and_shows_no_phone(persona_client):
    application = next(a for a in Application.objects.all() if a.contact_phone)
    client = persona_client("admin")
    url = reverse("admin:applications_application_change", args=[application.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert application.contact_phone not in html
    assert 'name="_save"' not in html
    before = Application.objects.get(pk=application.pk).status
    client.post(url, {"status": "approved"})
    assert Application.objects.get(pk=application.pk).status == before
    with pytest.raises(NoReverseMatch):  # applicants' members (ID numbers) have no admin page
        reverse("admin:applications_applicantmember_changelist")
