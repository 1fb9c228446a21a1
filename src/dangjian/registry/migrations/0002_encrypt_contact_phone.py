"""Units' contact phones are a person's phone: encrypted at rest from now on (issue 11).

The column becomes text (a ciphertext is longer than 30 characters), then every stored clear
value is encrypted with the current field key. The field decrypts what it reads and returns a
value without the "enc1:" prefix as it is, so the migration reads clear values through it and
writes them back encrypted; nothing in the application ever sees the ciphertext. Reversing
decrypts them back into the 30-character column.
"""

from django.db import migrations
from django.db.models import TextField, Value

import dangjian.core.fields

BATCH = 2000


def encrypt_phones(apps, schema_editor):
    Organization = apps.get_model("registry", "Organization")
    # A lookup on the field would be encrypted too, so every filled value is written again
    # (a value already encrypted is read back clear and encrypted anew: harmless).
    pending = list(Organization.objects.exclude(contact_phone="").values_list("pk", flat=True))
    for start in range(0, len(pending), BATCH):
        units = list(Organization.objects.filter(pk__in=pending[start : start + BATCH]))
        # The field's get_prep_value encrypts what bulk_update writes.
        Organization.objects.bulk_update(units, ["contact_phone"], batch_size=500)


def decrypt_phones(apps, schema_editor):
    Organization = apps.get_model("registry", "Organization")
    for unit in Organization.objects.exclude(contact_phone="").iterator(chunk_size=BATCH):
        # A Value is written as given, past the field's encryption.
        Organization.objects.filter(pk=unit.pk).update(
            contact_phone=Value(unit.contact_phone[:30], output_field=TextField())
        )


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="organization",
            name="contact_phone",
            field=dangjian.core.fields.EncryptedTextField(blank=True, verbose_name="contact phone"),
        ),
        migrations.RunPython(encrypt_phones, decrypt_phones),
    ]
