"""Findings' explanations that hold for many days: the day they are read as of is written in
them as a mark, not as a date, and so are the days and months counted up to it.

"截至 {as_of} 仍未换届，已逾期 {days since 2025-06-29} 天" is the same text from one day's
evaluation to the next while the facts stay the same, so the nightly run rewrites only what
changed and a finding's observations are runs of days (``rules.runs``), not a row a day. The
pages, exports and letters read it as of a day: ``text_on`` puts in the day and the counts up
to it (ISO dates, as the kinds write them; tests compare those), ``shown`` also writes every
date as official text does (``core.dates.official_dates``).
"""

from __future__ import annotations

import datetime
import re

from dangjian.core.dates import official_dates
from dangjian.rulebook.periods import months_between

AS_OF = "{as_of}"
SINCE = re.compile(r"\{(days|months) since (\d{4})-(\d{2})-(\d{2})\}")


def days_since(day: datetime.date) -> str:
    """The whole days from ``day`` to the day the text is read as of."""
    return f"{{days since {day.isoformat()}}}"


def months_since(day: datetime.date) -> str:
    """The whole months from ``day`` to the day the text is read as of."""
    return f"{{months since {day.isoformat()}}}"


def text_on(text: str, day: datetime.date | None) -> str:
    """``text`` read as of ``day`` (without a day — a text never read as of one — "—")."""
    if "{" not in text:
        return text

    def count(match: re.Match[str]) -> str:
        try:
            since = datetime.date(*(int(g) for g in match.groups()[1:]))
        except ValueError:  # not a mark the kinds write: left as it is
            return match.group(0)
        if day is None:
            return "—"
        return str((day - since).days if match.group(1) == "days" else months_between(since, day))

    return SINCE.sub(count, text.replace(AS_OF, day.isoformat() if day else "—"))


def shown(text: str, day: datetime.date | None) -> str:
    """``text`` as people read it as of ``day``: dates as official text writes them."""
    return official_dates(text_on(text, day))
