"""Every catalogue is complete (zh-hans is the default language) and its .mo is up to date."""

from pathlib import Path

import polib
import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "dangjian"
CATALOGUES = sorted(SRC.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"))


def test_catalogues_exist():
    assert len(CATALOGUES) >= 7


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.relative_to(SRC)))
def test_catalogue_is_translated_and_compiled(po_path):
    po = polib.pofile(str(po_path))
    untranslated = [e.msgid for e in po if not e.obsolete and (not e.translated() or e.fuzzy)]
    assert untranslated == [], f"untranslated in {po_path}: {untranslated}"
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} missing: run make messages"
    compiled = {
        (e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in polib.mofile(str(mo_path))
    }
    for entry in po:
        if entry.obsolete:
            continue
        assert compiled.get((entry.msgctxt, entry.msgid)) == (entry.msgstr, entry.msgstr_plural), (
            f"{mo_path} is stale for {entry.msgid!r}: run make messages"
        )
