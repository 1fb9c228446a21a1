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
