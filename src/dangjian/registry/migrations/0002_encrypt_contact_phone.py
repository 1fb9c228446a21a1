"""Units' contact phones are a person's phone: encrypted at rest from now on (issue 11).

The column becomes text (a ciphertext is longer than 30 characters), then every stored clear
value is encrypted with the current field key (``core.fields.encrypt_column``). Reversing
decrypts them back into the 30-character column.
"""

from django.db import migrations

import dangjian.core.fields
from dangjian.core.fields import decrypt_column, encrypt_column

encrypt_phones = encrypt_column("registry.Organization", "contact_phone")
decrypt_phones = decrypt_column("registry.Organization", "contact_phone", 30)


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
