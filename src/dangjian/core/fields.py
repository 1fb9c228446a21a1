"""Model fields for sensitive personal information."""

from typing import Any

from django.db import models

from dangjian.core import crypto


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Clear text in Python, AES-GCM ciphertext in the database.

    One field type for every sensitive column, so changing how they are protected never needs
    a data migration of each model. Not searchable: pair it with a blind-index column.
    """

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value)


# -- Data migrations that start encrypting a column ------------------------------------------
# A migration turns the column into an EncryptedTextField (AlterField), then runs
# ``RunPython(encrypt_column(label, name), decrypt_column(label, name, max_length))``.


def encrypt_column(label: str, name: str, batch: int = 2000) -> Any:
    """Encrypt every filled value of ``label``'s column ``name``: read through the field (which
    returns a clear legacy value as it is) and written back through it (which encrypts).
    A lookup on the field would be encrypted too, so every filled value is written again; one
    already encrypted is read back clear and encrypted anew, which is harmless."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(label)
        pending = list(model.objects.exclude(**{name: ""}).values_list("pk", flat=True))
        for start in range(0, len(pending), batch):
            rows = list(model.objects.filter(pk__in=pending[start : start + batch]))
            model.objects.bulk_update(rows, [name], batch_size=500)

    return forwards


def decrypt_column(label: str, name: str, max_length: int) -> Any:
    """The way back: clear values (cut to the old column's size) written past the field."""
    from django.db.models import TextField, Value

    def backwards(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(label)
        for row in model.objects.exclude(**{name: ""}).iterator(chunk_size=2000):
            clear = getattr(row, name)[:max_length]
            # A Value is written as given, past the field's encryption.
            model.objects.filter(pk=row.pk).update(**{name: Value(clear, output_field=TextField())})

    return backwards
