"""A letter's contact line names a person and their phone: encrypted at rest (issue 11).
The column becomes text, then every stored clear value is encrypted (core.fields.encrypt_column);
reversing decrypts them back into the 200-character column."""

from django.db import migrations

import dangjian.core.fields
from dangjian.core.fields import decrypt_column, encrypt_column


class Migration(migrations.Migration):

    dependencies = [
        ('recommendations', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='letter',
            name='contact_note',
            field=dangjian.core.fields.EncryptedTextField(blank=True, verbose_name='contact note'),
        ),
        migrations.RunPython(
            encrypt_column("recommendations.Letter", "contact_note"),
            decrypt_column("recommendations.Letter", "contact_note", 200),
        ),
    ]
