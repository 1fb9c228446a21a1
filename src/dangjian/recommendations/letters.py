"""A letter as a Word file, laid out per GB/T 9704 by ``dangjian.documents.gbt9704``."""

from __future__ import annotations

from django.utils import timezone

from dangjian.documents.gbt9704 import build_letter


def letter_docx(letter) -> bytes:
    federation = letter.federation
    return build_letter(
        title=letter.title,
        addressee=letter.recipient,
        body=letter.body,
        signatory=federation.name,
        date=letter.issued_on or timezone.localdate(),
        doc_number=letter.doc_number,
        issuer=federation.name,
        note=letter.contact_note,
    )
