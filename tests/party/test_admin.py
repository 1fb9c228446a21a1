"""The fact admin writes through the services: an admin add, change and delete leave the
services' audit records, and the inlines on a parent's page write nothing."""

import datetime

import pytest
from django.urls import reverse

from dangjian.core.models import AuditLog
from dangjian.party.models import Coverage, PartyOrganization
from dangjian.registry.models import Organization

pytestmark = pytest.mark.django_db


def test_admin_add_change_delete_go_through_the_services(persona_client):
    client = persona_client("admin")
    branch = PartyOrganization.objects.filter(kind="branch").first()
    unit = Organization.objects.exclude(coverages__party_organization=branch).first()
    response = client.post(
        reverse("admin:party_coverage_add"),
        {
            "party_organization": branch.pk,
            "organization": unit.pk,
            "kind": "joint",
            "valid_from": "2024-01-01",
            "valid_to": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    coverage = Coverage.objects.get(party_organization=branch, organization=unit)
    created = AuditLog.objects.get(
        object_type="party.coverage", object_id=str(coverage.pk), action="create"
    )
    assert created.actor_name == "admin"
    response = client.post(
        reverse("admin:party_coverage_change", args=[coverage.pk]),
        {
            "party_organization": branch.pk,
            "organization": unit.pk,
            "kind": "joint",
            "valid_from": "2024-01-01",
            "valid_to": "2024-12-31",
        },
    )
    assert response.status_code == 302
    coverage.refresh_from_db()
    assert coverage.valid_to == datetime.date(2024, 12, 31)
    assert AuditLog.objects.filter(
        object_type="party.coverage", object_id=str(coverage.pk), action="update"
    ).exists()
    response = client.post(
        reverse("admin:party_coverage_delete", args=[coverage.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Coverage.objects.filter(pk=coverage.pk).exists()
    assert AuditLog.objects.filter(
        object_type="party.coverage", object_id=str(coverage.pk), action="delete"
    ).exists()


def test_inlines_are_read_only(persona_client):
    client = persona_client("admin")
    branch = PartyOrganization.objects.filter(coverages__isnull=False).first()
    page = client.get(reverse("admin:party_partyorganization_change", args=[branch.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "coverages-0-organization" not in html  # shown, not editable
