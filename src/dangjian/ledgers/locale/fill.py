"""Fill the ledgers catalogue from glossary.json (English msgid → Chinese), then compile.

``.venv/bin/python src/dangjian/ledgers/locale/fill.py`` after ``make messages``; prints the
msgids still missing. (scripts/po_fill.py does not handle wrapped msgids.)
"""

import json
from pathlib import Path

import polib  # type: ignore[import-untyped]  # ships no type hints; types-polib is not installed

HERE = Path(__file__).resolve().parent
glossary = json.loads((HERE / "glossary.json").read_text(encoding="utf-8"))
po_path = HERE / "zh_Hans" / "LC_MESSAGES" / "django.po"
po = polib.pofile(str(po_path))
po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
for entry in po:
    if entry.msgid in glossary:
        if entry.msgid_plural:
            entry.msgstr_plural = {0: glossary[entry.msgid]}
        else:
            entry.msgstr = glossary[entry.msgid]
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    elif not entry.translated():
        print("untranslated:", entry.msgid)
po.save()
po.save_as_mofile(str(po_path.with_suffix(".mo")))
