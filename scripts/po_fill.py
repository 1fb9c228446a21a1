"""Fill empty msgstr entries of .po files from a JSON glossary (English msgid → Chinese).

Used after ``make messages``: ``python scripts/po_fill.py glossary.json file.po ...``.
Entries already translated are left alone; it prints the msgids still untranslated.
"""

import json
import re
import sys

ENTRY = re.compile(
    r'(?P<head>msgid "(?P<id>(?:[^"\\]|\\.)+)"\n(?:msgid_plural "(?P<pl>(?:[^"\\]|\\.)+)"\n)?)'
    r'(?P<strs>(?:msgstr(?:\[\d\])? ""\n)+)(?!")'
)


def fill(path: str, glossary: dict) -> list[str]:
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    missing = []

    def replace(match):
        msgid = match.group("id")
        zh = glossary.get(msgid)
        if zh is None:
            missing.append(msgid)
            return match.group(0)
        zh = zh.replace('"', '\\"')
        if match.group("pl"):
            return f'{match.group("head")}msgstr[0] "{zh}"\n'
        return f'{match.group("head")}msgstr "{zh}"\n'

    text = ENTRY.sub(replace, text)
    text = text.replace(
        '"Plural-Forms: nplurals=INTEGER; plural=EXPRESSION;\\n"',
        '"Plural-Forms: nplurals=1; plural=0;\\n"',
    )
    text = text.replace("#, fuzzy\n", "", 1) if '#, fuzzy\nmsgid ""' in text else text
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    return missing


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as fh:
        glossary = json.load(fh)
    for po in sys.argv[2:]:
        for msgid in fill(po, glossary):
            print(f"{po}: untranslated: {msgid}")
