"""core.personal: one registry of personal data, read by masking, erasure and key rotation."""

import json

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from dangjian.core import audit, crypto, personal
from dangjian.core.fields import EncryptedTextField
from dangjian.core.models import AuditLog

pytestmark = pytest.mark.django_db

PERSONAL_NAMES = {"id_number", "phone", "contact_phone", "birth_date"}


def test_the_registry_names_real_fields():
    for label, fields in personal.FIELDS.items():
        model = apps.get_model(label)
        for field in fields:
            model._meta.get_field(field.name)
            if field.blind_index:
                model._meta.get_field(field.blind_index)


def test_every_encrypted_column_and_blind_index_is_registered():
    registered = {(label, f.name) for label, f in personal.encrypted_fields()}
    actual, indexes = set(), set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                actual.add((model._meta.label_lower, field.name))
        for hash_field, clear in getattr(model, "BLIND_INDEXES", {}).items():
            indexes.add((model._meta.label_lower, hash_field, clear))
    assert registered == actual
    assert set(personal.blind_indexes()) == indexes


def test_every_field_named_like_personal_data_is_registered():
    missing = []
    for model in apps.get_models():
        label = model._meta.label_lower
        names = {f.name for f in personal.fields_of(label)}
        missing += [
            (label, f.name)
            for f in model._meta.concrete_fields
            if f.name in PERSONAL_NAMES and f.name not in names
        ]
    assert missing == []


def test_the_trail_masks_what_the_registry_says():
    from dangjian.access.models import UserSecurity
    from dangjian.registry.models import Organization

    org = Organization.objects.exclude(contact_phone="").first()
    assert audit.snapshot(org)["contact_phone"] == personal.maskers(org._meta.label_lower)[
        "contact_phone"
    ](org.contact_phone)
    assert org.contact_phone not in json.dumps(audit.snapshot(org))
    security = UserSecurity(totp_secret="JBSWY3DPEHPK3PXP")
    assert audit.snapshot(security)["totp_secret"] == "********"


def test_redaction_keeps_the_non_personal_history():
    changes = {
        "fields": {"name": ["张三", "张叁"], "education": ["college", "bachelor"]},
        "after": {"phone": "139****0000", "is_flowing": False, "birth_date": None},
    }
    redacted = personal.redact_changes("party.partymember", changes)
    assert redacted["fields"]["education"] == ["college", "bachelor"]
    assert redacted["fields"]["name"] == [personal.REDACTED, personal.REDACTED]
    assert redacted["after"] == {
        "phone": personal.REDACTED,
        "is_flowing": False,
        "birth_date": None,
    }


def _applicant_copy(member, *, linked: bool):
    from dangjian.applications.models import ApplicantMember, Application

    return ApplicantMember.objects.create(
        application=Application.objects.first(),
        name=member.name,
        gender=member.gender,
        id_number=member.id_number,
        phone="13900001111",
        joined_party_on=member.joined_party_on,
        member=member if linked else None,
    )


def test_anonymisation_erases_the_applicants_copies_and_keeps_history():
    from dangjian.applications.models import ApplicantMember
    from dangjian.party import services
    from dangjian.party.models import PartyMember

    member = PartyMember.objects.filter(anonymised_at__isnull=True).exclude(phone="").first()
    name, clear_id = member.name, member.id_number
    linked, by_number = _applicant_copy(member, linked=True), _applicant_copy(member, linked=False)
    other = ApplicantMember.objects.exclude(pk__in=[linked.pk, by_number.pk]).first()
    before = audit.snapshot(member)
    member.education = "doctor" if member.education != "doctor" else "master"
    member.save()
    audit.record_change(None, member, before)
    audit.record_change(None, linked, None)

    services.anonymise_member(member, actor=None)

    for copy in (linked, by_number):
        copy.refresh_from_db()
        assert copy.name == f"已匿名#{member.pk}" and copy.id_number == "" and copy.phone == ""
        assert copy.id_number_hash == ""
        assert copy.joined_party_on == member.joined_party_on  # the fact stays
    other_before = other.name
    other.refresh_from_db()
    assert other.name == other_before
    rows = AuditLog.objects.filter(
        object_type__in=["party.partymember", "applications.applicantmember"]
    )
    dump = json.dumps(list(rows.values("object_repr", "changes")), ensure_ascii=False)
    assert name not in dump and clear_id not in dump
    update = rows.filter(object_type="party.partymember", object_id=str(member.pk), action="update")
    assert "education" in update.first().changes["fields"]  # the non-personal history stays


def test_rotation_reads_the_registry(settings, tmp_path):
    # rotate_keys re-seals every upload under MEDIA_ROOT: never the demo files the other
    # test workers share (they would no longer open with the restored key).
    settings.MEDIA_ROOT = tmp_path
    from dangjian.applications.models import ApplicantMember

    row = ApplicantMember.objects.exclude(phone="").first()
    settings.FIELD_ENCRYPTION_KEYS = ["rotation-key-2027", *settings.FIELD_ENCRYPTION_KEYS]
    call_command("rotate_keys")
    new_kid = crypto.key_id("rotation-key-2027")
    for label, field in personal.encrypted_fields():
        model = apps.get_model(label)
        column = model._meta.get_field(field.name).column
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {column} FROM {model._meta.db_table} WHERE {column} <> ''"  # noqa: S608
            )
            assert {crypto.stored_key_id(v) for (v,) in cursor.fetchall()} <= {new_kid}, label
    assert ApplicantMember.objects.get(pk=row.pk).phone == row.phone
