"""List or fill untranslated entries of .po files.

    python scripts/po_fill.py --list src/dangjian/*/locale/zh_Hans/LC_MESSAGES/django.po
    python scripts/po_fill.py glossary.json <po files>     # English msgid → Chinese

Fuzzy guesses made by msgmerge are treated as untranslated: they are often wrong.
"""

import json
import sys

import polib


def pending(po):
    return [e for e in po if not e.obsolete and (not e.translated() or e.fuzzy)]


def main(argv):
    if argv[0] == "--list":
        for path in argv[1:]:
            for entry in pending(polib.pofile(path)):
                print(json.dumps(entry.msgid, ensure_ascii=False))
        return
    with open(argv[0], encoding="utf-8") as fh:
        glossary = json.load(fh)
    for path in argv[1:]:
        po = polib.pofile(path)
        po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
        for entry in pending(po):
            zh = glossary.get(entry.msgid)
            if zh is None:
                print(f"{path}: untranslated: {entry.msgid}")
                continue
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
            if entry.msgid_plural:
                entry.msgstr_plural = {0: zh}
            else:
                entry.msgstr = zh
        po.save(path)


if __name__ == "__main__":
    main(sys.argv[1:])
