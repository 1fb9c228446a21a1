"""The parsed cells of an upload, kept from the check (preview) to the commit.

Reading and parsing the file is the one part of an import that depends on nothing but the file,
the column mapping, the parsing code and the day: everything that depends on the database (units
and party organizations in the user's scope, members already stored, new / changed / unchanged)
is checked again at the commit in any case. So the check keeps what it parsed, and the commit
uses it instead of reading the file again — only when it provably is the same work:

* the file is authenticated: HMAC-SHA256 with a key derived from ``SECRET_KEY``, over every byte;
  the MAC is kept in the database (``LedgerUpload.mapping["kept"]``), the file on disk, so
  neither a changed file nor a changed row alone is accepted, and nothing is unpickled before
  the MAC of the whole file has been checked;
* it is bound to the upload (id, SHA-256 of the archived file — recomputed from the archive at
  the commit —, ledger, column mapping), to the parsing code (a digest of the source of
  ``cells``, ``engine``, ``reader``, ``specs`` (every module of the package),
  ``lifecycle_specs`` (the life ledgers' columns, registered by ``specs``),
  ``core.validators``, the stdnum version and the ledger's columns with their accepted labels),
  to the language of the messages and to the day (an ID number's birth date is "in the future"
  relative to today);
* ID numbers and phones are never in it in clear: they are sealed with the field encryption
  (AES-256-GCM, ``core.crypto``'s keys and format) and opened again at the commit.

If anything does not match, the commit reads and checks the file again, as before.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import pickle
import uuid
from pathlib import Path

import stdnum
from django.conf import settings
from django.utils import timezone, translation

from dangjian.core import crypto, sealed, validators
from dangjian.ledgers import cells, engine, lifecycle_specs, reader, specs

FORMAT = 1
PERSONAL_KINDS = ("id_number", "phone")


def _key() -> bytes:
    return hashlib.sha256(b"dangjian.ledgers.kept:" + settings.SECRET_KEY.encode()).digest()


@functools.cache
def code_digest(ledger_key: str) -> str:
    digest = hashlib.sha256()
    for module in (cells, engine, reader, specs, lifecycle_specs, validators):
        assert module.__file__ is not None  # our own modules, imported from their .py files
        path = Path(module.__file__)
        # A package (``specs``): every module in it, in a fixed order.
        for file in sorted(path.parent.glob("*.py")) if path.name == "__init__.py" else [path]:
            digest.update(file.read_bytes())
    digest.update(stdnum.__version__.encode())
    ledger = specs.LEDGERS[ledger_key]
    columns = [(c.key, c.kind, c.required, sorted(c.labels().items())) for c in ledger.columns]
    digest.update(repr(columns).encode())
    return digest.hexdigest()


def binding(upload, columns: dict[int, str], archive_sha256: str) -> dict:
    return {
        "format": FORMAT,
        "upload": upload.pk,
        "sha256": archive_sha256,
        "ledger": upload.ledger,
        "columns": sorted((int(k), v) for k, v in columns.items() if v),
        "code": code_digest(upload.ledger),
        "language": translation.get_language(),
        "day": timezone.localdate().isoformat(),
    }


def file_sha256(path: Path) -> str:
    """Of the clear bytes (an archive is sealed; ``LedgerUpload.sha256`` is of what came)."""
    digest = hashlib.sha256()
    with sealed.open_read(path) as fh:
        while block := fh.read(1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


class Writer:
    """Writes the parsed chunks as they are checked; ``finish`` returns the MAC."""

    def __init__(self, path: Path, bound: dict, ledger_key: str):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.temp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.part")
        self.fh = self.temp.open("wb")
        self.mac = hmac.new(_key(), digestmod="sha256")
        ledger = specs.LEDGERS[ledger_key]
        self.personal = {c.key for c in ledger.columns if c.kind in PERSONAL_KINDS}
        self._dump(bound)

    def _dump(self, obj) -> None:
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        blob = len(data).to_bytes(8, "big") + data
        self.mac.update(blob)
        self.fh.write(blob)

    def add(self, rows: list) -> None:
        """A parsed chunk, before the handler's checks change the records."""
        records = [dict(row.record) for row in rows]
        for key in self.personal:
            holders = [rec for rec in records if rec.get(key)]
            sealed = crypto.encrypt_many([rec[key] for rec in holders])
            for rec, value in zip(holders, sealed, strict=True):
                rec[key] = value
        self._dump([(row.number, rec, row.errors) for row, rec in zip(rows, records, strict=True)])

    def finish(self, table: reader.Table) -> str:
        header = table.header
        self._dump(
            {
                "end": True,
                "kind": table.kind,
                "sheet": table.sheet_name,
                "encoding": table.encoding,
                "truncated_blank": table.truncated_blank,
                "notes": table.notes,
                "header": (
                    header.row_index,
                    header.labels,
                    header.mapping,
                    header.unknown,
                    header.template_version,
                    header.template_ledger,
                ),
            }
        )
        self.fh.close()
        os.replace(self.temp, self.path)
        return self.mac.hexdigest()

    def discard(self) -> None:
        self.fh.close()
        self.temp.unlink(missing_ok=True)


class Kept:
    """Authenticated parsed chunks and the table they came from (not read again)."""

    def __init__(self, table: reader.Table, chunks: list[memoryview], personal: set[str]):
        self.table, self._chunks, self.personal = table, chunks, personal

    def chunks(self):
        for blob in self._chunks:
            kept = pickle.loads(blob)  # noqa: S301 - MAC checked
            for key in self.personal:
                holders = [record for _n, record, _e in kept if record.get(key)]
                opened = crypto.decrypt_many([record[key] for record in holders])
                for record, value in zip(holders, opened, strict=True):
                    record[key] = value
            yield [engine.Row(number, record, errors) for number, record, errors in kept]


def load(path: Path, mac: str | None, bound: dict, archive: Path) -> Kept | None:
    """The kept cells if they are authentic and bound to exactly this work, else None."""
    if not mac or not path.exists():
        return None
    data = path.read_bytes()  # once: what is checked is what is read
    if not hmac.compare_digest(hmac.new(_key(), data, "sha256").hexdigest(), mac):
        return None
    view, blobs, offset = memoryview(data), [], 0  # slices of the view: no copies
    while offset < len(data):
        size = int.from_bytes(view[offset : offset + 8], "big")
        blobs.append(view[offset + 8 : offset + 8 + size])
        offset += 8 + size
    if len(blobs) < 2 or pickle.loads(blobs[0]) != bound:  # noqa: S301 - MAC checked
        return None
    if file_sha256(archive) != bound["sha256"]:
        return None
    end = pickle.loads(blobs[-1])  # noqa: S301 - MAC checked
    if not isinstance(end, dict) or not end.get("end"):
        return None
    table = reader.Table(
        archive, end["kind"], end["sheet"], reader.Header(*end["header"]), end["encoding"]
    )
    table.truncated_blank = end["truncated_blank"]
    table.notes = end.get("notes", [])
    ledger = specs.LEDGERS[bound["ledger"]]
    personal = {c.key for c in ledger.columns if c.kind in PERSONAL_KINDS}
    return Kept(table, blobs[1:-1], personal)
