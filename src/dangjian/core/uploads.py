"""Checking uploaded files by their content, never by their name; re-encoding images.

Every app that takes files uses these (joining and formation documents, case photos, meeting
records).

A file is accepted only when its first bytes say it is one of the allowed kinds (PDF, JPEG, PNG,
Word .docx, OFD); a renamed executable, an old macro-capable .doc and anything unknown are
refused. Zip-based formats (.docx, .ofd, .xlsx) are opened only after the sizes their central
directory declares are checked, so a zip bomb is refused before anything is inflated (Python's
zipfile never inflates an entry beyond its declared size).
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# Limits on what a zip-based document may declare.
MAX_ZIP_ENTRIES = 2000
MAX_ZIP_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_ZIP_RATIO = 200  # uncompressed ÷ compressed, per entry

EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Kind:
    content_type: str
    extension: str


PDF = Kind("application/pdf", "pdf")
JPEG = Kind("image/jpeg", "jpg")
PNG = Kind("image/png", "png")
DOCX = Kind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")
OFD = Kind("application/ofd", "ofd")
XLSX = Kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")

DOCUMENT_KINDS = (PDF, JPEG, PNG, DOCX, OFD)


def _head(upload: Any) -> bytes:
    upload.seek(0)
    head = bytes(upload.read(16))
    upload.seek(0)
    return head


def check_zip(upload: Any, required: tuple[str, ...]) -> None:
    """Refuse a damaged zip, one that would inflate too far, or one without ``required`` parts."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
            names = {e.filename for e in entries}
            if len(entries) > MAX_ZIP_ENTRIES:
                raise ValidationError(
                    _("The file contains too many parts (%(count)d); it is refused."),
                    code="zip_entries",
                    params={"count": len(entries)},
                )
            total = 0
            for entry in entries:
                total += entry.file_size
                ratio = entry.file_size / max(entry.compress_size, 1)
                if total > MAX_ZIP_UNCOMPRESSED_BYTES or (
                    entry.file_size > 1024 * 1024 and ratio > MAX_ZIP_RATIO
                ):
                    raise ValidationError(
                        _(
                            "The file would expand to an abnormal size when opened (a "
                            "compression bomb); it is refused."
                        ),
                        code="zip_bomb",
                    )
                if entry.filename.startswith(("/", "\\")) or ".." in entry.filename.split("/"):
                    raise ValidationError(
                        _("The file contains unsafe part names; it is refused."), code="zip_path"
                    )
    except zipfile.BadZipFile:
        raise ValidationError(
            _("The file is damaged and cannot be opened."), code="zip_damaged"
        ) from None
    finally:
        upload.seek(0)
    if not all(part in names for part in required):
        raise ValidationError(
            _("The file is a compressed archive, not a document of an allowed type."),
            code="zip_not_document",
        )


def detect(upload: Any, allowed: tuple[Kind, ...]) -> Kind:
    """The kind of ``upload`` from its content, or ``ValidationError`` in Chinese."""
    head = _head(upload)
    if head.startswith(EXECUTABLE_MAGIC) or head.startswith(b"#!"):
        raise ValidationError(
            _("The file is an executable program, not a document; it is refused."),
            code="executable",
        )
    if head.startswith(OLE_MAGIC):
        raise ValidationError(
            _(
                "Old-format Office files (.doc, .xls) may carry macros and are not accepted; "
                "please save the file as PDF, .docx or .xlsx."
            ),
            code="ole",
        )
    kind = None
    if head.startswith(b"%PDF-"):
        kind = PDF
    elif head.startswith(b"\xff\xd8\xff"):
        kind = JPEG
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = PNG
    elif head.startswith(b"PK\x03\x04"):
        wanted = [k for k in (DOCX, OFD, XLSX) if k in allowed]
        required = {
            DOCX: ("[Content_Types].xml", "word/document.xml"),
            OFD: ("OFD.xml",),
            XLSX: ("[Content_Types].xml", "xl/workbook.xml"),
        }
        errors = []
        for candidate in wanted:
            try:
                check_zip(upload, required[candidate])
            except ValidationError as exc:
                if exc.code in ("zip_bomb", "zip_entries", "zip_path", "zip_damaged"):
                    raise
                errors.append(exc)
                continue
            kind = candidate
            break
        if kind is None and errors:
            raise errors[0]
    if kind is None or kind not in allowed:
        raise ValidationError(
            _("This type of file is not accepted; allowed: %(allowed)s."),
            code="file_type",
            params={"allowed": ", ".join(k.extension.upper() for k in allowed)},
        )
    return kind


def check_upload(upload: UploadedFile, allowed: tuple[Kind, ...] = DOCUMENT_KINDS) -> Kind:
    """Size and content check of an uploaded file; returns its kind."""
    size = upload.size
    if size is None:  # an UploadedFile built without one (Django's upload handlers always set it)
        upload.seek(0, os.SEEK_END)
        size = upload.tell()
        upload.seek(0)
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file is too large (%(size)s MB); at most %(max)s MB is accepted."),
            code="file_size",
            params={
                "size": f"{size / 1024 / 1024:.1f}",
                "max": MAX_UPLOAD_BYTES // 1024 // 1024,
            },
        )
    if size == 0:
        raise ValidationError(_("The file is empty."), code="file_empty")
    return detect(upload, allowed)


def sha256_of(upload: Any) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(65536), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def safe_name(name: str) -> str:
    """The uploaded name without directories or control characters, for the download header."""
    name = os.path.basename(name.replace("\\", "/"))
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>:|?*')
    return name[:200] or "file"


# -- images ---------------------------------------------------------------------------------
MAX_PIXELS = 40_000_000
MAX_SIDE = 2400
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "jpg", "GIF": "jpg", "BMP": "jpg"}


def read_limited(upload: Any, max_bytes: int) -> bytes:
    """The upload's bytes, refused in Chinese when empty or beyond ``max_bytes``."""
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(
            _("The file is larger than %(mb)s MB.") % {"mb": max_bytes // (1024 * 1024)}
        )
    data = bytes(upload.read(max_bytes + 1))
    if len(data) > max_bytes:
        raise ValidationError(
            _("The file is larger than %(mb)s MB.") % {"mb": max_bytes // (1024 * 1024)}
        )
    if not data:
        raise ValidationError(_("The file is empty."))
    return data


def reencode_image(data: bytes) -> tuple[bytes, int, int]:
    """JPEG bytes without any metadata, turned upright, at most MAX_SIDE pixels a side.

    Images are decoded with Pillow and written anew as JPEG from their pixels alone, so EXIF
    (GPS position, camera, owner) and any trailing bytes are gone."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in IMAGE_FORMATS:
                raise ValidationError(_("Only JPEG, PNG, WebP, GIF or BMP images are accepted."))
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(_("The image has too many pixels."))
            probe.verify()
        with Image.open(io.BytesIO(data)) as opened:
            opened.load()
            img = ImageOps.exif_transpose(opened).convert("RGB")
            img.thumbnail((MAX_SIDE, MAX_SIDE))
            # A fresh image holding only the pixels: nothing of the original's info survives.
            clean = Image.new("RGB", img.size)
            clean.paste(img)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(_("The file is not a readable image.")) from None
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue(), clean.width, clean.height
