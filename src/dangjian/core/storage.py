"""The default file storage: every uploaded file (application evidence, case images and
attachments) is sealed at rest with the field key (``core.sealed``) and decrypted as it is read
back through the storage (``field.open()``: downloads, redaction, re-encoding)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.files.storage import FileSystemStorage

from dangjian.core import sealed


class SealedFileSystemStorage(FileSystemStorage):
    def _save(self, name: str, content: Any) -> str:
        while True:
            full = Path(self.path(name))
            full.parent.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(
                    full, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
                )
                break
            except FileExistsError:  # taken since the name was chosen: choose again
                name = self.get_available_name(name)
        with os.fdopen(fd, "wb") as raw:
            out = sealed.SealedWriter(raw)
            try:
                if hasattr(content, "seek"):
                    content.seek(0)
                for chunk in content.chunks():
                    out.write(chunk)
            except BaseException:
                out.abandon()
                raw.close()
                full.unlink(missing_ok=True)
                raise
            out.close()
        if self.file_permissions_mode is not None:
            os.chmod(full, self.file_permissions_mode)
        return str(name).replace("\\", "/")

    def _open(self, name: str, mode: str = "rb") -> File[bytes]:
        if "w" in mode or "a" in mode or "+" in mode:
            raise ValueError("sealed files are written through save(), not opened for writing")
        return File(sealed.open_read(Path(self.path(name))), name)

    def size(self, name: str) -> int:
        return sealed.clear_size(Path(self.path(name)))
