"""Case attachments: checked by their content, images re-encoded (core.uploads), and blind
copies of Word files.

Attachments are Word files (.docx) or
images: a .docx can have the unit's name taken out for the reviewers' copy; a PDF cannot be
redacted reliably without extra tooling, so PDFs are not accepted (submitters save as .docx).
"""

from __future__ import annotations

import hashlib
import io
import zipfile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from dangjian.core.uploads import IMAGE_FORMATS, reencode_image


def sniff_attachment(data: bytes) -> str:
    """The attachment's real type from its content: "docx", or "jpg" for an image."""
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
                total = sum(i.file_size for i in zf.infolist())
        except zipfile.BadZipFile:
            raise ValidationError(_("The Word file is damaged.")) from None
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            if total > 200 * 1024 * 1024:
                raise ValidationError(_("The Word file unpacks to more than 200 MB."))
            return "docx"
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format in IMAGE_FORMATS:
                return "jpg"
    except (UnidentifiedImageError, OSError):
        pass
    raise ValidationError(_("Attachments must be Word files (.docx) or images."))


def clean_attachment(data: bytes) -> tuple[bytes, str]:
    """(bytes to store, type): images re-encoded, Word files with their author fields cleared."""
    kind = sniff_attachment(data)
    if kind == "jpg":
        return reencode_image(data)[0], "jpg"
    return blind_docx(data, []), "docx"


def blind_docx(data: bytes, names: list[str], marker: str = "") -> bytes:
    """A copy of a Word file with document properties cleared and ``names`` replaced by
    ``marker`` in paragraphs, tables, headers and footers."""
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # python-docx raises many kinds on a broken package
        raise ValidationError(_("The Word file is damaged.")) from None
    props = document.core_properties
    for field in ("author", "last_modified_by", "comments", "keywords", "subject", "title"):
        setattr(props, field, "")
    props.category = props.content_status = props.identifier = ""
    if names:
        for paragraph in _all_paragraphs(document):
            _replace_in_paragraph(paragraph, names, marker)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _all_paragraphs(document):
    def walk(container):
        yield from container.paragraphs
        for table in getattr(container, "tables", []):
            for row in table.rows:
                for cell in row.cells:
                    yield from walk(cell)

    yield from walk(document)
    for section in document.sections:
        for part in (
            section.header,
            section.footer,
            section.first_page_header,
            section.first_page_footer,
            section.even_page_header,
            section.even_page_footer,
        ):
            yield from walk(part)


def _replace_in_paragraph(paragraph, names: list[str], marker: str):
    text = paragraph.text
    if not any(name in text for name in names):
        return
    for name in names:
        text = text.replace(name, marker)
    # A name may straddle runs: put the whole text in the first run and empty the others.
    runs = paragraph.runs
    if runs:
        runs[0].text = text
        for run in runs[1:]:
            run.text = ""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
