"""The audit trail: what is recorded, who may read it, append-only, retention."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from dangjian.core.models import AuditLog
from dangjian.registry.models import Organization

pytestmark = pytest.mark.django_db


def test_admin_edit_records_field_level_change_with_request_id(persona_client):
    org = Organization.objects.get(name="天津市大数据协会")
    client = persona_client("admin")
    url = reverse("admin:registry_organization_change", args=[org.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "name": org.name,
            "uscc": org.uscc,
            "legal_form": org.legal_form,
            "category": org.category,
            "district": "和平区",
            "status": org.status,
            "domains": [d.pk for d in org.domains.all()],
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "founded_on": org.founded_on.isoformat(),
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    # The newest record (the demo's own, e.g. setting the unit's fields of work, came before).
    log = AuditLog.objects.filter(
        object_type="registry.organization", object_id=str(org.pk), action="update"
    ).latest("id")
    assert log.changes["fields"] == {"district": ["滨海新区", "和平区"]}
    assert log.actor_name == "admin" and len(log.request_id) == 36


def _organization_form(client, org):
    """The admin change form as the browser would post it back, inlines included."""
    url = reverse("admin:registry_organization_change", args=[org.pk])
    response = client.get(url)
    data = {}
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        if name == "domains":
            value = [d.pk for d in value]
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        data[name] = value
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management.initial.get(name, "")
        for inline_form in formset.formset.initial_forms:
            for name, field in inline_form.fields.items():
                value = inline_form.initial.get(name, field.initial)
                if value is None:
                    continue
                if hasattr(value, "pk"):
                    value = value.pk
                elif hasattr(value, "isoformat"):
                    value = value.isoformat()
                data[inline_form.add_prefix(name)] = value
    return url, data


def test_admin_membership_changes_are_audited_and_inlines_write_nothing(persona_client):
    """Memberships are changed on their own admin page, through the registry services (audited,
    with the request id); the organization page shows them read-only, so an inline posted
    there writes nothing unaudited. (Written against editable inlines first; the fact admin
    made every fact inline read-only, so the inline path is now the one that must not write.)"""
    from dangjian.registry.models import Federation, Membership

    org = Organization.objects.filter(memberships__isnull=False).order_by("pk").first()
    client = persona_client("admin")
    url, data = _organization_form(client, org)
    other = Federation.objects.exclude(memberships__organization=org).first()
    total = int(data.get("memberships-TOTAL_FORMS", 0))
    data.update(
        {
            "memberships-TOTAL_FORMS": str(total + 1),
            f"memberships-{total}-federation": other.pk,
            f"memberships-{total}-role": Membership.Role.MEMBER,
            f"memberships-{total}-valid_from": "2024-01-01",
            f"memberships-{total}-organization": org.pk,
        }
    )
    client.post(url, data)
    assert not Membership.objects.filter(organization=org, federation=other).exists()

    existing = org.memberships.order_by("pk").first()
    page = client.get(reverse("admin:registry_membership_change", args=[existing.pk]))
    form = page.context["adminform"].form
    post = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        post[name] = value.isoformat() if hasattr(value, "isoformat") else value
    post["note"] = "改自后台"
    response = client.post(reverse("admin:registry_membership_change", args=[existing.pk]), post)
    assert response.status_code == 302, response.content.decode()[:3000]
    updated = AuditLog.objects.get(
        object_type="registry.membership", object_id=str(existing.pk), action="update"
    )
    assert updated.actor_name == "admin" and len(updated.request_id) == 36
    assert updated.changes["fields"]["note"][1] == "改自后台"


def test_admin_link_change_is_in_the_objects_record(persona_client):
    from dangjian.registry.models import Domain

    org = Organization.objects.filter(memberships__isnull=False).order_by("pk").first()
    client = persona_client("admin")
    url, data = _organization_form(client, org)
    new = Domain.objects.exclude(organization=org).first()
    data["domains"] = [*data.get("domains", []), new.pk]
    assert client.post(url, data).status_code == 302
    log = AuditLog.objects.filter(
        object_type="registry.organization", object_id=str(org.pk), action="update"
    ).latest("id")
    assert new.pk in log.changes["fields"]["domains"][1]


def test_masked_values_in_the_log(persona_client):
    from dangjian.core.audit import snapshot
    from dangjian.party.models import PartyMember

    member = PartyMember.objects.first()
    snap = snapshot(member)
    assert snap["id_number"] == member.id_number_masked
    assert member.id_number not in str(snap)


def test_records_cannot_be_rewritten():
    log = AuditLog.objects.create(action="event", event_type="x")
    log.note = "tampered"
    with pytest.raises(ValidationError):
        log.save()


def test_only_the_auditor_sees_and_exports_the_trail(persona_client):
    AuditLog.objects.create(action="event", event_type="branch.formed", object_repr="测试支部")
    for name in ["admin", "officer", "liaison", "outsider"]:
        assert persona_client(name).get(reverse("access:audit_list")).status_code == 404
        assert persona_client(name).get(reverse("access:audit_export")).status_code == 404
    client = persona_client("auditor")
    html = client.get(reverse("access:audit_list"), {"q": "branch.formed"}).content.decode()
    assert "测试支部" in html
    response = client.get(reverse("access:audit_export"), {"q": "branch.formed"})
    body = b"".join(response.streaming_content).decode("utf-8")
    assert "测试支部" in body and body.startswith("\ufeff")
    assert AuditLog.objects.filter(event_type="audit.exported", actor_name="auditor").exists()


def test_retention_keeps_six_months_at_least():
    with pytest.raises(CommandError, match="至少保留"):
        call_command("prune_audit", "--days", "100")


def test_prune_removes_only_old_records():
    old = AuditLog.objects.create(
        action="event", event_type="old", at=timezone.now() - datetime.timedelta(days=400)
    )
    recent = AuditLog.objects.create(
        action="event", event_type="recent", at=timezone.now() - datetime.timedelta(days=200)
    )
    call_command("prune_audit", "--days", "365")
    assert not AuditLog.objects.filter(pk=old.pk).exists()
    assert AuditLog.objects.filter(pk=recent.pk).exists()
    assert AuditLog.objects.filter(event_type="audit.pruned").exists()
