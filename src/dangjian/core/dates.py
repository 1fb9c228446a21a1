"""Dates as official Chinese text writes them: 2026年12月2日 (GB/T 9704 成文日期, and every date
in the body of a letter), never 2026-12-02.

``official_date`` is the one formatter; ``official_dates`` rewrites the ISO dates of a text the
system composed (a finding's explanation, which the rule kinds write with ISO dates so that
runs compare them as plain text) for the pages and letters people read.
"""

from __future__ import annotations

import datetime
import re

# An ISO date standing alone (not part of a longer number or code), with the space the text
# put between it and a Chinese character: official text sets none (截至2026年12月2日，).
CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’"
ISO_DATE = re.compile(
    rf"(?:(?<=[{CJK}]) )?(?<![\d-])(\d{{4}})-(\d{{2}})-(\d{{2}})(?![\d-])(?: (?=[{CJK}]))?"
)


def official_date(day: datetime.date) -> str:
    """Arabic numerals, no leading zeros: 2026年1月5日."""
    return f"{day.year}年{day.month}月{day.day}日"


def official_dates(text: str) -> str:
    """``text`` with each ISO date written as an official date (a string that only looks like
    one, such as 2026-13-45, is left as it is)."""

    def replace(match: re.Match[str]) -> str:
        try:
            day = datetime.date(*(int(g) for g in match.groups()))
        except ValueError:
            return match.group(0)
        return official_date(day)

    return ISO_DATE.sub(replace, text)
