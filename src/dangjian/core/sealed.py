"""Files encrypted at rest (archived uploads), written and read as streams.

Format (``DJSEAL1``), one file:

    header   magic "DJSEAL1\\n" (8 bytes) · field key id (8 ASCII) · random salt (16)
    frames   AES-256-GCM of each 64 KiB of the clear file (the last frame shorter), each
             followed by its 16-byte tag

The file's key is derived from the field key with the salt (``core.crypto.derived_key``), so
every file has a key of its own. A frame's nonce is its number (8 bytes) and a final-frame flag;
the header is the associated data of every frame. So a frame cannot be changed, moved, dropped
or taken from another file, and a file cut short is refused: the frame that ends it was not
sealed as the last one. Reading opens the last frame first (the clear size and the truncation
check), then one frame at a time wherever the reader seeks: a 50 MB upload is never held twice
(or at all) in memory by this module, only 64 KiB of it.

Files written before sealing existed are read as they are (``open_read`` falls back to the clear
file); ``dangjian encrypt_uploads`` seals them.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from dangjian.core import crypto

MAGIC = b"DJSEAL1\n"
HEADER_SIZE = len(MAGIC) + 8 + 16
FRAME = 64 * 1024
TAG = 16
PURPOSE = b"dangjian sealed file v1"


class SealedFileError(ValueError):
    """A sealed file that was changed, cut short or made with an unknown key."""


def _nonce(index: int, final: bool) -> bytes:
    return index.to_bytes(8, "big") + b"\0\0\0" + (b"\1" if final else b"\0")


class SealedWriter(io.RawIOBase):
    """Write-only stream: what is written is sealed into ``raw`` frame by frame; ``close``
    writes the final frame (always, so an empty file is a sealed empty file)."""

    def __init__(self, raw: IO[bytes]):
        super().__init__()
        self._raw = raw
        salt = os.urandom(16)
        kid, key = crypto.derived_key(PURPOSE, salt)
        self._header = MAGIC + kid.encode("ascii") + salt
        self._aead = AESGCM(key)
        self._buffer = bytearray()
        self._index = 0
        self._written = 0
        raw.write(self._header)

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        self._buffer += view
        self._written += len(view)
        # Hold back a full frame until more comes: only then is it known not to be the last.
        while len(self._buffer) > FRAME:
            self._emit(bytes(self._buffer[:FRAME]), final=False)
            del self._buffer[:FRAME]
        return len(view)

    def tell(self) -> int:
        return self._written

    def _emit(self, clear: bytes, *, final: bool) -> None:
        self._raw.write(self._aead.encrypt(_nonce(self._index, final), clear, self._header))
        self._index += 1

    def close(self) -> None:
        if not self.closed:
            self._emit(bytes(self._buffer), final=True)
            self._buffer = bytearray()
            self._raw.flush()
        super().close()

    def abandon(self) -> None:
        """Close without the final frame (a failed write: the file is thrown away)."""
        self._buffer = bytearray()
        super().close()


class SealedReader(io.RawIOBase):
    """Read-only, seekable stream of a sealed file's clear bytes, one frame in memory."""

    def __init__(self, raw: IO[bytes], stored_size: int):
        super().__init__()
        self._raw = raw
        header = raw.read(HEADER_SIZE)
        if len(header) != HEADER_SIZE or not header.startswith(MAGIC):
            raise SealedFileError("not a sealed file")
        kid = header[len(MAGIC) : len(MAGIC) + 8].decode("ascii", "replace")
        try:
            _kid, key = crypto.derived_key(PURPOSE, header[-16:], kid)
        except ValueError as exc:
            raise SealedFileError(str(exc)) from None
        self._header, self._aead = header, AESGCM(key)
        body = stored_size - HEADER_SIZE
        self._frames = max(1, -(-body // (FRAME + TAG)))
        last = body - (self._frames - 1) * (FRAME + TAG)
        if last < TAG:
            raise SealedFileError("sealed file cut short")
        self.size = (self._frames - 1) * FRAME + last - TAG
        self._cached: tuple[int, bytes] | None = None
        self._frame(self._frames - 1)  # authenticates the end: a truncated file fails here
        self._pos = 0

    def _frame(self, index: int) -> bytes:
        if self._cached is not None and self._cached[0] == index:
            return self._cached[1]
        self._raw.seek(HEADER_SIZE + index * (FRAME + TAG))
        sealed = self._raw.read(FRAME + TAG)
        final = index == self._frames - 1
        try:
            clear = self._aead.decrypt(_nonce(index, final), sealed, self._header)
        except InvalidTag:
            raise SealedFileError("sealed file changed or cut short") from None
        self._cached = (index, clear)
        return clear

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self.size}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._pos = base + offset
        return self._pos

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        done = 0
        while done < len(view) and self._pos < self.size:
            index, within = divmod(self._pos, FRAME)
            clear = self._frame(index)
            take = min(len(view) - done, len(clear) - within)
            view[done : done + take] = clear[within : within + take]
            done += take
            self._pos += take
        return done

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


def is_sealed(path: Path) -> bool:
    with Path(path).open("rb") as fh:
        return fh.read(len(MAGIC)) == MAGIC


@contextmanager
def writer(path: Path) -> Iterator[SealedWriter]:
    """``with writer(path) as out: out.write(...)`` — ``path`` holds the sealed file once the
    block ends (written beside it and moved into place, so a failed write leaves no part)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.urandom(4).hex()}.part")
    try:
        with temp.open("wb") as raw:
            out = SealedWriter(raw)
            try:
                yield out
            except BaseException:
                out.abandon()
                raise
            out.close()
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def open_read(path: Path) -> IO[bytes]:
    """The clear bytes of ``path``: decrypted as read when sealed, else the file itself (written
    before sealing; ``encrypt_uploads`` seals those)."""
    path = Path(path)
    raw = path.open("rb")
    if raw.read(len(MAGIC)) != MAGIC:
        raw.seek(0)
        return raw
    raw.seek(0)
    try:
        return io.BufferedReader(SealedReader(raw, os.fstat(raw.fileno()).st_size), FRAME)
    except BaseException:
        raw.close()
        raise


def clear_size(path: Path) -> int:
    with open_read(path) as fh:
        return fh.seek(0, io.SEEK_END)


def seal_in_place(path: Path) -> None:
    """(Re-)seal ``path`` with the current key, streaming; its modification time is kept (the
    retention of archived uploads counts from it)."""
    path = Path(path)
    times = path.stat()
    with open_read(path) as source, writer(path) as out:
        while block := source.read(FRAME):
            out.write(block)
    os.utime(path, ns=(times.st_atime_ns, times.st_mtime_ns))


# Folders under MEDIA_ROOT that hold working files in a format of their own, not uploads:
# the ledger import's progress flags and kept cells (personal values sealed inside, MAC'd).
UNSEALED_FOLDERS = ("ledgers/state",)


def uploads_to_seal(root: Path, *, rekey: bool = False) -> Iterator[Path]:
    """Files under ``root`` (MEDIA_ROOT) still clear, or, with ``rekey``, sealed with a key
    other than the current one."""
    root = Path(root)
    if not root.exists():
        return
    current, _key = crypto.derived_key(PURPOSE, b"")
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if not path.is_file() or path.name.startswith(".") or relative.startswith(UNSEALED_FOLDERS):
            continue
        with path.open("rb") as fh:
            head = fh.read(HEADER_SIZE)
        if (
            not head.startswith(MAGIC)
            or rekey
            and head[len(MAGIC) : len(MAGIC) + 8].decode("ascii", "replace") != current
        ):
            yield path
