"""``core.crypto``'s fast paths for many values give exactly what the one-value functions give:
``decrypt`` reads what ``encrypt_many`` wrote, ``decrypt_many`` reads what ``encrypt`` wrote, and
``blind_index_many`` is ``blind_index``."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dangjian.core import crypto

VALUES = ["11010519491231002X", "13800138000", "联系电话 13800138000", "x" * 300]


def test_encrypt_many_is_read_by_decrypt():
    sealed = crypto.encrypt_many(["11010519491231002X"] * 3)
    assert len(set(sealed)) == 3  # a fresh nonce each time
    assert all(crypto.decrypt(s) == "11010519491231002X" for s in sealed)
    assert all(crypto.stored_key_id(s) == crypto.keyring()[0] for s in sealed)
    assert crypto.encrypt_many(["", "a", ""])[::2] == ["", ""]  # empty stays empty
    assert [crypto.decrypt(s) for s in crypto.encrypt_many(VALUES)] == VALUES


def test_decrypt_many_reads_what_encrypt_wrote():
    assert crypto.decrypt_many([crypto.encrypt(v) for v in VALUES]) == VALUES
    assert crypto.decrypt_many(crypto.encrypt_many(VALUES)) == VALUES
    assert crypto.decrypt_many(["", "legacy clear text"]) == ["", "legacy clear text"]
    with pytest.raises(ValueError):
        crypto.decrypt_many(["enc1:ffffffff:AAAA"])  # an unknown key is refused as decrypt does


def test_blind_index_many_is_blind_index():
    values = ["11010519491231002X", "110105199003070011", "", "张三"]
    assert crypto.blind_index_many(values) == [crypto.blind_index(v) for v in values]


@given(st.lists(st.text(max_size=40), max_size=8))
@settings(max_examples=100, deadline=None)
def test_many_equals_one_by_one(values):
    assert crypto.blind_index_many(values) == [crypto.blind_index(v) for v in values]
    sealed = crypto.encrypt_many(values)
    assert [crypto.decrypt(s) if s else s for s in sealed] == values
    assert crypto.decrypt_many([crypto.encrypt(v) if v else v for v in values]) == values


def test_suffix_index_many_is_suffix_index_across_calls_and_keys(settings):
    values = ["11010519491231002X", "110105199003070011", "", "abc", "002x", "张三李四王五"]
    assert crypto.suffix_index_many(values) == [crypto.suffix_index(v) for v in values]
    # Asked again, the remembered hashes give the same; a suffix first seen now is hashed.
    again = [*values, "110105199003070099"]
    assert crypto.suffix_index_many(again) == [crypto.suffix_index(v) for v in again]
    before = crypto.suffix_index_many(values[:1])
    settings.BLIND_INDEX_KEY = "another key"  # a hash remembered under the old key is not used
    assert crypto.suffix_index_many(values) == [crypto.suffix_index(v) for v in values]
    assert crypto.suffix_index_many(values[:1]) != before


def test_suffix_memo_stays_bounded(monkeypatch):
    monkeypatch.setattr(crypto, "SUFFIX_MEMO_LIMIT", 10)
    values = [f"{i:04d}" for i in range(25)]
    assert crypto.suffix_index_many(values) == [crypto.suffix_index(v) for v in values]
    assert sum(map(len, crypto._suffix_hashes.values())) <= 25  # one call's suffixes at most
    more = ["9997", "9998", "9999"]  # full: forgotten, then these remembered
    assert crypto.suffix_index_many(more) == [crypto.suffix_index(v) for v in more]
    assert sum(map(len, crypto._suffix_hashes.values())) == 3
