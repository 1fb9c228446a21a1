"""Reading what users really upload: safely, streaming, with the header found and mapped.

``inspect_file`` refuses hostile or broken files before any parser sees them (0 bytes, too big,
images, password-protected, truncated, zip bombs). ``open_table`` then finds the sheet and the
header row (title rows above, two-row merged headers), and ``Table.rows()`` streams the data rows
as lists of raw values (python-calamine for .xlsx/.xlsm/.xls: values only, formulas never
evaluated, external links never followed; the csv module for .csv in UTF-8 or GBK/GB18030).
Archived uploads are sealed (``core.sealed``): every read goes through ``sealed.open_read``,
which decrypts as it reads (and reads a clear file, e.g. a test's or a legacy one, as it is).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine
from django.utils.translation import gettext as _

from dangjian.core import sealed
from dangjian.env import envint
from dangjian.ledgers import specs

MAX_BYTES = envint("DANGJIAN_LEDGER_MAX_BYTES", 50 * 1024 * 1024)
# A real ledger compresses about 5–10×; a zip bomb by thousands.
MAX_UNCOMPRESSED = envint("DANGJIAN_LEDGER_MAX_UNCOMPRESSED", 600 * 1024 * 1024)
MAX_RATIO = 150
# Blank rows in a row after which the sheet is taken to have ended (styled empty rows).
MAX_BLANK_RUN = 500
HEADER_SCAN_ROWS = 30
EXTENSIONS = {".xlsx", ".xlsm", ".xls", ".csv"}


class FileRefused(Exception):
    """The file cannot be read; ``str(exc)`` is the Chinese explanation."""


MAGIC = {
    b"\x89PNG": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF8": "GIF",
    b"%PDF": "PDF",
}


def inspect_file(path: Path, filename: str) -> str:
    """Check the file before parsing; returns its kind: ``xlsx``, ``xls`` or ``csv``."""
    size = sealed.clear_size(path)
    if size == 0:
        raise FileRefused(_("The file is empty (0 bytes). Please upload the filled-in ledger."))
    if size > MAX_BYTES:
        raise FileRefused(
            _("The file is %(size)d MB; the limit is %(limit)d MB. Split it into several files.")
            % {"size": size // (1024 * 1024), "limit": MAX_BYTES // (1024 * 1024)}
        )
    ext = Path(filename).suffix.lower()
    if ext not in EXTENSIONS:
        raise FileRefused(
            _("Only .xlsx, .xlsm, .xls and .csv files can be imported, not %(ext)s.")
            % {"ext": ext or _("(no extension)")}
        )
    with sealed.open_read(path) as fh:
        head = fh.read(8)
    for magic, kind in MAGIC.items():
        if head.startswith(magic):
            raise FileRefused(
                _(
                    "This file is a %(kind)s image or document renamed to %(ext)s, not a "
                    "spreadsheet. Please upload the Excel ledger itself."
                )
                % {"kind": kind, "ext": ext}
            )
    if head.startswith(b"PK"):
        _check_zip(path)
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        if _ole_is_encrypted(path):
            raise FileRefused(_password_message())
        return "xls"
    if ext == ".csv":
        return "csv"
    raise FileRefused(
        _(
            "This file is not an Excel workbook (it may be damaged or another kind of file "
            "renamed to %(ext)s). Open it in Excel or WPS and save it again as .xlsx."
        )
        % {"ext": ext}
    )


def _password_message() -> str:
    return _(
        "The workbook is protected with a password, so it cannot be read. Open it in Excel or "
        "WPS, remove the password (File → Info → Protect Workbook) and upload it again."
    )


def _ole_is_encrypted(path: Path) -> bool:
    """Password-protected .xlsx files are OLE containers holding an EncryptedPackage stream."""
    marker = "EncryptedPackage".encode("utf-16-le")
    with sealed.open_read(path) as fh:
        data = fh.read(4 * 1024 * 1024)
    return marker in data or "EncryptionInfo".encode("utf-16-le") in data


def _check_zip(path: Path) -> None:
    truncated = _(
        "The file is incomplete (it may have been cut off while downloading or copying). "
        "Please save it again in Excel or WPS and re-upload."
    )
    try:
        with sealed.open_read(path) as fh, zipfile.ZipFile(fh) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileRefused(truncated) from None
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        raise FileRefused(
            _("This is a zip archive but not an Excel workbook. Please upload the .xlsx ledger.")
        )
    declared = sum(i.file_size for i in infos)
    compressed = sum(i.compress_size for i in infos) or 1
    if declared > MAX_UNCOMPRESSED or declared / compressed > MAX_RATIO and declared > 20e6:
        raise FileRefused(
            _(
                "The workbook would expand to %(size)d MB when opened (a compression ratio of "
                "%(ratio)d:1), far more than any ledger; it was refused as unsafe. If it is a "
                "real ledger, delete the empty rows and columns and save it again."
            )
            % {"size": declared // (1024 * 1024), "ratio": declared // compressed}
        )


@dataclass
class Header:
    row_index: int  # 0-based index of the (last) header row
    labels: list[str]  # one display label per column
    mapping: dict[int, str]  # column index → ledger column key
    unknown: list[int] = field(default_factory=list)  # header columns we could not map
    template_version: int | None = None
    template_ledger: str | None = None


@dataclass
class Table:
    path: Path
    kind: str
    sheet_name: str | None
    header: Header
    encoding: str | None = None
    truncated_blank: bool = False
    notes: list[int] = field(default_factory=list)  # rows left out as notes (see rows())
    stray_notes: set[int] = field(default_factory=set)  # note-like rows with data below
    # The calamine sheet, loaded once for header detection and reading (values only).
    sheet: python_calamine.CalamineSheet | None = field(default=None, repr=False)

    def rows(self):
        """``(row_number, values)`` for every data row (row_number as Excel shows it, 1-based).

        Stops after MAX_BLANK_RUN blank rows in a row, so a million styled empty rows cost
        nothing. Notes under the table (``is_note``: after an empty row) are not data: when
        nothing but notes follows, they are left out and listed in ``notes``; when a data row
        follows, they are yielded and listed in ``stray_notes``, so the row is reported as
        what it is instead of as three missing required cells.
        """
        self.notes, self.stray_notes = [], set()
        blank = 0
        after_blank = False
        held: list[tuple[int, list]] = []  # note-like rows after an empty row, undecided
        header_row = self.header.row_index
        for index, values in enumerate(_raw_rows(self), start=0):
            if index <= header_row:
                continue
            for v in values:  # usually stops at the first cell
                if v != "" and v is not None and not (isinstance(v, str) and not v.strip()):
                    break
            else:
                blank += 1
                after_blank = True
                if blank >= MAX_BLANK_RUN:
                    self.truncated_blank = True
                    break
                continue
            blank = 0
            if after_blank and is_note(values):
                held.append((index + 1, values))
                continue
            after_blank = False
            if held:  # data follows: they were not a footnote
                self.stray_notes.update(number for number, _values in held)
                yield from held
                held = []
            yield index + 1, values
        self.notes = [number for number, _values in held]


# A note under a table starts with one of these words (注：, 注1：, 说明、, 填表人：…).
NOTE_START = re.compile(
    r"^(?:填表说明|填写说明|填报说明|说明|备注|注|填表人|填报人|制表人|审核人|负责人|"
    r"单位负责人|联系人|填表日期|填报日期|制表日期)\s*(?:\d+|[一二三四五六七八九十]+)?\s*[:：、.．]"
)


def is_note(values) -> bool:
    """A row under the table that is a note, not data: its only filled cell is the first one,
    or its first filled cell starts with 填表说明 / 说明 / 注 / 备注 / 填表人 and the like."""
    filled = [(i, v) for i, v in enumerate(values) if _label(v)]
    if not filled:
        return False
    if len(filled) == 1 and filled[0][0] == 0:
        return True
    return bool(NOTE_START.match(_label(filled[0][1])))


def _raw_rows(table: Table):
    if table.kind == "csv":
        binary = sealed.open_read(table.path)
        with io.TextIOWrapper(binary, encoding=table.encoding, newline="") as fh:
            yield from csv.reader(fh)
        return
    if table.sheet is not None:
        yield from table.sheet.iter_rows()
        return
    workbook = _workbook(table.path, table.kind)
    try:
        sheet = workbook.get_sheet_by_name(table.sheet_name)
        yield from sheet.iter_rows()
    finally:
        workbook.close()


def _workbook(path: Path, kind: str):
    """Open with calamine by content, not by name: WPS users rename .xls and .xlsx freely.
    Calamine reads the (decrypted) stream into memory once; the file's clear bytes are never
    held a second time."""
    try:
        with sealed.open_read(path) as fh:
            return python_calamine.CalamineWorkbook.from_filelike(fh)
    except python_calamine.PasswordError:
        raise FileRefused(_password_message()) from None
    except Exception as exc:  # calamine raises several kinds for damaged files
        if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise FileRefused(_password_message()) from None
        raise FileRefused(
            _(
                "The workbook could not be read (%(error)s). It may be damaged or truncated; "
                "open it in Excel or WPS, save it again and re-upload."
            )
            % {"error": type(exc).__name__}
        ) from None


def csv_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) if the file decodes as such, else GB18030 (⊃ GBK)."""
    with sealed.open_read(path) as fh:
        sample = fh.read(4 * 1024 * 1024)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 4:  # cut in the middle of a character by the sample
            return "utf-8"
    try:
        sample.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError:
        raise FileRefused(
            _("The CSV file is neither UTF-8 nor GBK text; save it again as UTF-8 CSV.")
        ) from None


def _head_rows(table: Table) -> list[list]:
    rows = []
    for values in _raw_rows(table):
        rows.append(list(values))
        if len(rows) >= HEADER_SCAN_ROWS:
            break
    return rows


def _label(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def detect_header(rows: list[list], ledger_key: str, remembered: dict[str, str] | None = None):
    """The best header row among the first rows, and the column mapping it implies."""
    index = specs.header_index(ledger_key)
    remembered = {specs.header_key(k): v for k, v in (remembered or {}).items()}
    best = None
    for r, row in enumerate(rows):
        parent = _forward_filled(rows[r - 1]) if r > 0 else []
        labels: list[str] = []
        mapping: dict[int, str] = {}
        for c, value in enumerate(row):
            label = _label(value)
            above = parent[c] if c < len(parent) else ""
            candidates = [label, above + label] if label else [above]
            if label and above and label != above:
                candidates.insert(0, above + label)
            shown = label or above
            key = None
            for cand in candidates:
                hk = specs.header_key(cand)
                key = remembered.get(hk) or index.get(hk)
                if key:
                    shown = cand
                    break
            labels.append(shown)
            if key and key not in mapping.values():
                mapping[c] = key
        score = len(mapping)
        if score >= 2 and (best is None or score > best[0]):
            best = (score, r, labels, mapping)
    if best is None:
        return None
    _, r, labels, mapping = best
    unknown = [c for c, label in enumerate(labels) if label and c not in mapping]
    return Header(r, labels, mapping, unknown)


def _forward_filled(row: list) -> list[str]:
    """A row above the header with merged cells: the merged value repeated across its span."""
    filled, last = [], ""
    for value in row:
        label = _label(value)
        if label:
            last = label
        filled.append(last)
    return filled


def _template_mark(workbook) -> tuple[str | None, int | None]:
    try:
        names = workbook.sheet_names
        if specs.META_SHEET not in names:
            return None, None
        rows = workbook.get_sheet_by_name(specs.META_SHEET).to_python()
        marks = {str(r[0]): r[1] for r in rows if len(r) >= 2}
        version = marks.get("version")
        return str(marks.get("ledger") or "") or None, int(version) if version else None
    except Exception:  # a broken mark is no mark
        return None, None


def open_table(
    path: Path, filename: str, ledger_key: str, remembered: dict[str, str] | None = None
) -> Table:
    """Inspect, pick the sheet and header row, map the columns."""
    kind = inspect_file(path, filename)
    if kind == "csv":
        encoding = csv_encoding(path)
        table = Table(path, kind, None, Header(-1, [], {}), encoding)
        header = detect_header(_head_rows(table), ledger_key, remembered)
        if header is None:
            raise FileRefused(_no_header_message(ledger_key))
        table.header = header
        return table
    workbook = _workbook(path, kind)
    try:
        ledger_mark, version = _template_mark(workbook)
        sheets = [
            m.name
            for m in workbook.sheets_metadata
            if m.typ == python_calamine.SheetTypeEnum.WorkSheet
            and m.name not in (specs.META_SHEET, specs.NOTES_SHEET)
        ]
        best = None
        for name in sheets:
            try:
                sheet = workbook.get_sheet_by_name(name)
            except Exception:  # noqa: S112 - a sheet calamine cannot read is not the data
                continue
            table = Table(path, kind, name, Header(-1, [], {}), sheet=sheet)
            header = detect_header(_head_rows(table), ledger_key, remembered)
            if header and (best is None or len(header.mapping) > len(best.header.mapping)):
                table.header = header
                best = table
    finally:
        workbook.close()
    if ledger_mark and ledger_mark != ledger_key and ledger_mark in specs.LEDGERS:
        raise FileRefused(
            _(
                "This file was made from the template of the %(other)s, not the %(this)s. "
                "Choose the right ledger, or download the right template."
            )
            % {
                "other": specs.LEDGERS[ledger_mark].title,
                "this": specs.LEDGERS[ledger_key].title,
            }
        )
    if best is None:
        raise FileRefused(_no_header_message(ledger_key))
    best.header.template_version = version
    best.header.template_ledger = ledger_mark
    return best


def _no_header_message(ledger_key: str) -> str:
    ledger = specs.LEDGERS[ledger_key]
    return _(
        "No header row of the %(ledger)s was found in the first %(rows)d rows (expected "
        "columns such as %(examples)s). Please use the downloadable template."
    ) % {
        "ledger": ledger.title,
        "rows": HEADER_SCAN_ROWS,
        "examples": "、".join(c.header for c in ledger.columns if c.required),
    }
