"""Personal data: encrypted at rest, masked on screen, revealed only with the right (logged),
rotation of keys, duplicates across ledgers, data-subject export and erasure."""

import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from dangjian.core import crypto
from dangjian.core.models import AuditLog
from dangjian.party.models import Employment, PartyMember
from dangjian.registry.models import Organization

pytestmark = pytest.mark.django_db


def raw(column, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM party_partymember WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def a_member_of(org_name):
    return (
        Employment.objects.filter(organization__name=org_name)
        .select_related("member")
        .first()
        .member
    )


def test_no_clear_id_number_or_phone_in_any_row(demo_federation):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM party_partymember")
        stored = cursor.fetchall()
    clear = PartyMember.objects.values_list("id_number", "phone")
    stored_text = "\n".join(f"{a}|{b}" for a, b in stored)
    for id_number, phone in clear:
        assert id_number not in stored_text
        assert phone not in stored_text
    assert all(value.startswith("enc1:") for value, _ in stored)


def test_blind_index_finds_a_member_without_clear_text(demo_federation):
    member = PartyMember.objects.first()
    found = PartyMember.objects.get(id_number_hash=crypto.blind_index(member.id_number))
    assert found == member


def test_reveal_requires_the_right_and_is_logged(persona_client):
    member = a_member_of("天津市互联网协会")
    url = reverse("party:member_reveal", args=[member.pk])
    html = persona_client("liaison").post(url).content.decode()
    assert member.id_number in html
    log = AuditLog.objects.get(event_type="member.id_number_revealed", object_id=str(member.pk))
    assert log.actor_name == "liaison"
    # The authority viewer may see the unit but never personal data: 404, like a missing page.
    assert persona_client("authority").post(url).status_code == 404
    assert persona_client("instructor").post(url).status_code == 404


def test_profile_shows_masked_numbers_only(persona_client):
    member = a_member_of("天津市互联网协会")
    html = (
        persona_client("liaison")
        .get(reverse("party:member_detail", args=[member.pk]))
        .content.decode()
    )
    assert member.id_number not in html
    assert member.id_number_masked in html
    assert member.phone not in html


def test_key_rotation_reencrypts_every_value(demo_federation, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the rotation re-seals uploaded files too (tests/core)
    member = PartyMember.objects.first()
    old_stored = raw("id_number", member.pk)
    old_kid = crypto.stored_key_id(old_stored)
    settings.FIELD_ENCRYPTION_KEYS = ["a-brand-new-key-for-2027", *settings.FIELD_ENCRYPTION_KEYS]
    call_command("rotate_keys")
    new_kid = crypto.key_id("a-brand-new-key-for-2027")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM party_partymember")
        kids = {crypto.stored_key_id(v) for (v,) in cursor.fetchall()}
    assert kids == {new_kid} and old_kid != new_kid
    assert PartyMember.objects.get(pk=member.pk).id_number == member.id_number
    # With only the new key, everything still decrypts.
    settings.FIELD_ENCRYPTION_KEYS = ["a-brand-new-key-for-2027"]
    assert PartyMember.objects.get(pk=member.pk).id_number == member.id_number
    assert AuditLog.objects.filter(event_type="keys.rotated").exists()


def test_blind_index_rebuild_after_key_change(demo_federation, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # rotate_keys re-seals the uploads: not the shared demo's
    member = PartyMember.objects.first()
    settings.BLIND_INDEX_KEY = "another-blind-index-key"
    call_command("rotate_keys", "--blind-index")
    assert PartyMember.objects.get(id_number_hash=crypto.blind_index(member.id_number)) == member


def test_member_in_two_ledgers_is_shown_to_officers(persona_client):
    original = a_member_of("天津市互联网协会")
    twin = PartyMember.objects.create(
        name=original.name,
        gender=original.gender,
        id_number=original.id_number,
        joined_party_on=original.joined_party_on,
        full_member_on=original.full_member_on,
    )
    Employment.objects.create(
        member=twin,
        organization=Organization.objects.get(name="天津市大数据协会"),
        valid_from=original.joined_party_on,
    )
    html = persona_client("officer").get(reverse("party:duplicate_members")).content.decode()
    assert html.count(original.id_number_masked) == 2
    assert "天津市大数据协会" in html and "天津市互联网协会" in html
    # The liaison of one unit sees neither the twin nor a duplicate.
    html = persona_client("liaison").get(reverse("party:duplicate_members")).content.decode()
    assert "没有重复登记的党员" in html


def test_data_subject_export_contains_their_record_and_is_logged(persona_client):
    member = a_member_of("天津市互联网协会")
    response = persona_client("liaison").get(reverse("party:member_export", args=[member.pk]))
    data = json.loads(response.content.decode())
    assert data["身份证号码"] == member.id_number
    assert data["从业记录"][0]["单位"] == "天津市互联网协会"
    assert AuditLog.objects.filter(event_type="member.exported_for_subject").count() == 1


def test_anonymise_keeps_facts_but_no_personal_data(persona_client):
    member = a_member_of("天津市互联网协会")
    clear_id, name = member.id_number, member.name
    AuditLog.objects.create(
        action="update",
        object_type="party.partymember",
        object_id=str(member.pk),
        object_repr=name,
        changes={"fields": {"name": [name, name]}},
    )
    client = persona_client("liaison")
    url = reverse("party:member_anonymise", args=[member.pk])
    client.post(url)  # without the confirmation box: nothing happens
    assert PartyMember.objects.get(pk=member.pk).name == name
    client.post(url, {"confirm": "yes"})
    member.refresh_from_db()
    assert member.name.startswith("已匿名") and member.id_number == "" and member.birth_date is None
    assert member.employments.filter(valid_to__isnull=True).count() == 0
    assert Employment.objects.filter(member=member).exists()  # the fact stays for statistics
    trail = AuditLog.objects.filter(object_type="party.partymember", object_id=str(member.pk))
    dump = json.dumps(list(trail.values("object_repr", "changes", "note")), ensure_ascii=False)
    assert name not in dump and clear_id not in dump
    assert trail.filter(event_type="member.anonymised").exists()


@override_settings(DEBUG=False)
@pytest.mark.parametrize(
    "payload",
    [
        "' OR 1=1 --",
        "{{ 7*7 }}{% debug %}",
        "<script>alert(1)</script>",
        "a\x00b",
        "x" * 5000,
        "Ａ​ＢＣ天津",
    ],
)
def test_hostile_search_input_is_harmless_and_escaped(officer_client, payload):
    response = officer_client.get(reverse("registry:organization_list"), {"q": payload})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    if "<script>" in payload:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown back, escaped
    if "7*7" in payload:
        assert "{{ 7*7 }}" in html  # echoed as text, never evaluated
    assert "没有符合条件的单位" in html or "部分筛选条件无效" in html


def test_every_blind_index_is_known_to_the_rotation_command():
    from django.apps import apps

    from dangjian.core.fields import EncryptedTextField

    for model in apps.get_models():
        names = {f.name for f in model._meta.concrete_fields}
        encrypted = {
            f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)
        }
        for field in encrypted:
            if f"{field}_hash" in names:
                assert getattr(model, "BLIND_INDEXES", {}).get(f"{field}_hash") == field, model


# Units' contact phones: encrypted at rest, masked in exports unless asked with the right ------


def _raw_contact_phones():
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, contact_phone FROM registry_organization")
        return dict(cursor.fetchall())


def test_unit_contact_phones_are_encrypted_at_rest(demo_federation):
    stored = {pk: value for pk, value in _raw_contact_phones().items() if value}
    assert len(stored) > 20
    assert all(value.startswith("enc1:") for value in stored.values())
    clear = dict(Organization.objects.filter(pk__in=stored).values_list("pk", "contact_phone"))
    assert all(len(phone) == 11 and phone not in stored[pk] for pk, phone in clear.items())


def test_existing_clear_contact_phones_are_encrypted_by_the_migration(demo_federation):
    """The data step of registry 0002 (the column change itself runs with every test
    database, SQLite and PostgreSQL)."""
    import importlib

    from django.apps import apps

    step = importlib.import_module("dangjian.registry.migrations.0002_encrypt_contact_phone")
    unit = Organization.objects.exclude(contact_phone="").first()
    phone = unit.contact_phone
    with connection.cursor() as cursor:  # a row as it was stored before: clear
        cursor.execute(
            "UPDATE registry_organization SET contact_phone = %s WHERE id = %s", [phone, unit.pk]
        )
    step.encrypt_phones(apps, None)
    assert _raw_contact_phones()[unit.pk].startswith("enc1:")
    assert Organization.objects.get(pk=unit.pk).contact_phone == phone
    step.decrypt_phones(apps, None)  # the way back leaves clear values in the old column size
    assert _raw_contact_phones()[unit.pk] == phone


def _unit_export(client, **params):
    import io

    import openpyxl

    response = client.get(reverse("ledgers:export_organizations"), params)
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("联系电话")
    return {row[0]: row[column] for row in rows[1:] if row[column]}


@pytest.mark.parametrize("persona", ["liaison", "secretary", "authority", "officer"])
def test_unit_export_masks_contact_phones(persona_client, persona):
    phones = _unit_export(persona_client(persona))
    assert phones, persona
    clear = dict(Organization.objects.filter(name__in=phones).values_list("name", "contact_phone"))
    for name, shown in phones.items():
        assert shown == clear[name][:3] + "****" + clear[name][-4:]
    log = AuditLog.objects.filter(event_type="ledgers.export_organizations").latest("id")
    assert log.actor_name == persona and log.changes["unmasked"] is False


def test_unit_export_unmasked_only_with_the_right_and_logged(persona_client):
    phones = _unit_export(persona_client("liaison"), personal="1")
    clear = dict(Organization.objects.filter(name__in=phones).values_list("name", "contact_phone"))
    assert phones == clear
    log = AuditLog.objects.filter(event_type="ledgers.export_organizations").latest("id")
    assert log.changes["unmasked"] is True and log.changes["rows"] >= len(phones)
    # The supervising unit's role never sees personal data: asking changes nothing.
    for name, shown in _unit_export(persona_client("authority"), personal="1").items():
        assert "****" in shown, name


def test_a_masked_unit_export_imports_back_unchanged_and_a_foreign_mask_is_refused(
    officer_client, demo_federation, settings, tmp_path
):
    import io

    import openpyxl

    from dangjian.ledgers.models import LedgerUpload

    settings.MEDIA_ROOT = tmp_path
    data = officer_client.get(reverse("ledgers:export_organizations")).content

    def upload(content):
        file = io.BytesIO(content)
        file.name = "units.xlsx"
        response = officer_client.post(
            reverse("ledgers:upload"),
            {"ledger": "organizations", "federation": demo_federation.pk, "file": file},
        )
        return LedgerUpload.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))

    item = upload(data)
    assert item.status == "validated", item.message
    assert item.counts["changed"] == 0 and item.counts["invalid"] == 0, item.preview
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    column = [c.value for c in sheet[1]].index("联系电话") + 1
    sheet.cell(2, column).value = "139****0000"  # masks some other number
    buffer = io.BytesIO()
    book.save(buffer)
    item = upload(buffer.getvalue())
    assert item.counts["invalid"] == 1
    assert "遮盖" in json.dumps(item.preview, ensure_ascii=False)


def test_a_letters_contact_line_is_encrypted_shown_to_its_readers_and_masked_in_the_trail(
    officer_client, demo_federation
):
    from dangjian.recommendations.models import Letter

    letter = Letter.objects.create(
        federation=demo_federation,
        recipient_kind=Letter.RecipientKind.values[0],
        recipient="天津市委网信办",
        title="关于联系人一行的测试函",
        body="一、基本情况",
    )
    note = "联系人：张敏，电话：13912345678"
    response = officer_client.post(
        reverse("recommendations:letter_step", args=[letter.pk, "edit"]),
        {
            "recipient": letter.recipient,
            "title": letter.title,
            "body": letter.body,
            "contact_note": note,
            "version": letter.version,
        },
    )
    assert response.status_code == 302
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_note FROM recommendations_letter WHERE id = %s", [letter.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith("enc1:") and "13912345678" not in stored
    page = officer_client.get(reverse("recommendations:letter_detail", args=[letter.pk]))
    assert note in page.content.decode()  # the letter's own content, printed in the letter
    trail = json.dumps(
        list(
            AuditLog.objects.filter(
                object_type="recommendations.letter", object_id=str(letter.pk)
            ).values("changes")
        ),
        ensure_ascii=False,
    )
    assert "13912345678" not in trail and "139****5678" in trail
