"""The template's version and marks, the Column and Ledger classes and the columns' helpers."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

from django.utils import translation

TEMPLATE_VERSION = 3
# Versions of the templates that were handed out and are still read (with a notice). Version 3:
# the member ledger's relation is dated (组织关系转入日期); terms moved from the party
# organization ledger to the election ledger.
OLD_TEMPLATE_VERSIONS = {1, 2}
META_SHEET = "_dangjian"
NOTES_SHEET = "填写说明"
DEFINED_NAME = "DANGJIAN_TEMPLATE"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str  # text, name, code, uscc, id_number, phone, date, bool, int, choice, month, money
    required: bool = False
    synonyms: tuple[str, ...] = ()
    choices: object = None  # a TextChoices class
    extra: tuple[tuple[str, str], ...] = ()  # extra spellings → code
    note: str = ""
    example: object = ""
    width: int = 16
    max_length: int = 0  # text columns: the model field's bound (0: none), see _bounded
    # Date columns, as the forms bound them (core.validators): every date not before 1900;
    # "past": a fact that happened, not in the future; "party": a party date, not before
    # 1921-07-01 and not in the future. Unit facts are also checked against the unit's founding
    # by the handlers.
    bound: str = ""

    def labels(self) -> dict[str, str]:
        return choice_labels(self.choices, self.extra) if self.choices else {}


@dataclass(frozen=True)
class Ledger:
    key: str
    title: str
    columns: tuple[Column, ...]
    note: str = ""
    by_key: dict = field(default_factory=dict, compare=False, hash=False)

    def column(self, key: str) -> Column:
        return {c.key: c for c in self.columns}[key]


@cache
def choice_labels(choices, extra: tuple = ()) -> dict[str, str]:
    """Accepted spellings → code; the Chinese labels come first (they fill the drop-downs)."""
    labels: dict[str, str] = {}
    with translation.override("zh-hans"):
        for value, label in choices.choices:
            labels[str(label)] = value
    for value in choices.values:
        labels.setdefault(value, value)
    for spelling, value in extra:
        labels.setdefault(spelling, value)
    return labels


def header_key(text: str) -> str:
    """How headers are compared: half-width, no spaces, marks or bracketed remarks."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    text = re.sub(r"\(.*?\)|\[.*?\]|【.*?】", "", text)
    return re.sub(r"[\s*＊:：#№.、]", "", text).lower()


def _yes_no_note(what: str) -> str:
    return f"{what}填“是”或“否”（也可用 ✓ / √，空白表示否）。"


DATE_NOTE = "日期，如 2019-06-28、2019年6月28日、2019.6.28、20190628 均可。"
