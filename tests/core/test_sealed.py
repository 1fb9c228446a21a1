"""Uploads sealed at rest (issue 11, problem 3): a chunked AEAD format read and written as
streams, refused when changed or cut short, transparent to the storage and the ledger reader,
re-sealed when keys rotate; clear files of before sealed by ``encrypt_uploads``."""

import io
import os
import tracemalloc

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from dangjian.core import crypto, sealed
from dangjian.core.models import AuditLog

MB = 1024 * 1024


def write(path, data: bytes, step: int = 7000):
    with sealed.writer(path) as out:
        for i in range(0, len(data), step):
            out.write(data[i : i + step])
    return path


@pytest.mark.parametrize("size", [0, 1, sealed.FRAME - 1, sealed.FRAME, sealed.FRAME + 1, 200_000])
def test_round_trip_and_seek(tmp_path, size):
    data = os.urandom(size)
    path = write(tmp_path / "f", data)
    raw = path.read_bytes()
    assert raw.startswith(sealed.MAGIC) and (size < 32 or data[:32] not in raw)
    with sealed.open_read(path) as fh:
        assert fh.read() == data
        fh.seek(size // 3)
        assert fh.read(70_000) == data[size // 3 : size // 3 + 70_000]
        assert fh.seek(0, io.SEEK_END) == size
    assert sealed.clear_size(path) == size


def _refused(path):
    with pytest.raises(sealed.SealedFileError), sealed.open_read(path) as fh:
        fh.read()


def test_a_changed_cut_or_reordered_file_is_refused(tmp_path):
    data = os.urandom(3 * sealed.FRAME + 500)
    path = write(tmp_path / "f", data)
    good = path.read_bytes()
    frame = sealed.FRAME + sealed.TAG
    head, body = good[: sealed.HEADER_SIZE], good[sealed.HEADER_SIZE :]
    frames = [body[i : i + frame] for i in range(0, len(body), frame)]
    cases = {
        "cut at a frame boundary": head + b"".join(frames[:2]),
        "cut inside a frame": good[:-100],
        "one bit flipped": good[:5000] + bytes([good[5000] ^ 1]) + good[5001:],
        "frames swapped": head + frames[1] + frames[0] + b"".join(frames[2:]),
        "a frame appended": good + frames[1],
        "another file's header": write(tmp_path / "g", data).read_bytes()[: sealed.HEADER_SIZE]
        + body,
    }
    for content in cases.values():
        path.write_bytes(content)
        _refused(path)


def test_a_fifty_megabyte_upload_is_never_held_in_memory(tmp_path, settings, demo_federation):
    """Archived as it streams in and read back as a stream: the peak of Python allocations stays
    a few frames and chunks, nowhere near the file's 50 MB (let alone twice that)."""
    from dangjian.ledgers import services

    settings.MEDIA_ROOT = tmp_path
    chunk = os.urandom(MB)

    def chunks():
        for _ in range(50):
            yield chunk

    tracemalloc.start()
    try:
        upload = services.receive_upload(
            chunks(), "大台账.csv", federation=demo_federation, ledger="members", actor=None
        )
        _size, receive_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        archive = services.archive_path(upload)
        with sealed.open_read(archive) as fh:
            while block := fh.read(MB):
                assert block == chunk
        _size, read_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert upload.size == 50 * MB and sealed.is_sealed(archive)
    assert receive_peak < 8 * MB and read_peak < 8 * MB, (receive_peak, read_peak)


@pytest.mark.django_db
def test_the_default_storage_seals_and_reads_back(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    name = default_storage.save("applications/x/notice.pdf", ContentFile(b"%PDF-1.7 13912345678"))
    stored = (tmp_path / name).read_bytes()
    assert stored.startswith(sealed.MAGIC) and b"13912345678" not in stored
    with default_storage.open(name) as fh:
        assert fh.read() == b"%PDF-1.7 13912345678"
    assert default_storage.size(name) == len(b"%PDF-1.7 13912345678")


@pytest.mark.django_db
def test_encrypt_uploads_seals_clear_files_and_rekeys(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    clear = tmp_path / "ledgers" / "2024" / "01" / "old.xlsx"
    clear.parent.mkdir(parents=True)
    clear.write_bytes(b"PK old ledger 120101198001011234")
    os.utime(clear, (1_600_000_000, 1_600_000_000))
    working = tmp_path / "ledgers" / "state" / "7.progress"
    working.parent.mkdir(parents=True)
    working.write_text('{"done": 1}')
    out = io.StringIO()
    call_command("encrypt_uploads", "--dry-run", stdout=out)
    assert "将加密 1 个上传文件" in out.getvalue() and not sealed.is_sealed(clear)
    call_command("encrypt_uploads", stdout=io.StringIO())
    assert sealed.is_sealed(clear) and b"1201011980" not in clear.read_bytes()
    assert sealed.open_read(clear).read() == b"PK old ledger 120101198001011234"
    assert clear.stat().st_mtime == 1_600_000_000  # the retention still counts from the upload
    assert working.read_text() == '{"done": 1}'  # working files keep their own format
    assert AuditLog.objects.filter(event_type="uploads.sealed").latest("id").changes["files"] == 1
    # A new key: rotate_keys re-seals the files with it, and the old key can then go.
    old_kid = crypto.key_id(settings.FIELD_ENCRYPTION_KEYS[0])
    settings.FIELD_ENCRYPTION_KEYS = ["a-new-key-for-uploads", *settings.FIELD_ENCRYPTION_KEYS]
    call_command("rotate_keys", stdout=io.StringIO())
    assert old_kid.encode() not in clear.read_bytes()[: sealed.HEADER_SIZE]
    settings.FIELD_ENCRYPTION_KEYS = ["a-new-key-for-uploads"]
    assert sealed.open_read(clear).read() == b"PK old ledger 120101198001011234"
