"""The synthetic federation's meetings as raw rows: the regime's meetings of each branch, the
last year's with full minutes, a few branches copying theirs."""

from __future__ import annotations

import datetime
import random

from dangjian.orglife import similarity
from dangjian.orglife.models import Meeting
from dangjian.rulebook import params

from . import minutes_text
from .calendar import day_within
from .meetings import TOPICS
from .rows import Rows

P_COPYING_BRANCH = 0.03  # branches that pass off other meetings' minutes as their own …
P_COPIED_MINUTES = 0.15  # … for this share of their last year's meetings (names, date changed)
# Meetings of the last year get full minutes (varied text, for the near-duplicate rule); older
# ones keep a one-line note (the rules look back a year; 10^7 full records would be gigabytes).
FULL_MINUTES_DAYS = 365


class MinutesWriter:
    """Full minutes for the meetings of the last year: each composed (``demo.minutes_text``);
    a few percent of branches copy some of theirs from an earlier meeting's (another branch's)
    with the names and the date changed."""

    def __init__(self, rng: random.Random, today: datetime.date, keep: int = 2000):
        self.rng = rng
        self.since = today - datetime.timedelta(days=FULL_MINUTES_DAYS)
        self.composer = minutes_text.Composer(rng)
        self.recent: list[tuple[str, str]] = []  # (branch name, minutes) to copy from
        self.keep = keep
        self.branch = ""
        self.copying = False

    def minutes(self, name: str, kind: str, day: datetime.date, size: int) -> str | None:
        if day < self.since:
            return None
        rng = self.rng
        if name != self.branch:
            self.branch, self.copying = name, rng.random() < P_COPYING_BRANCH
        if self.copying and self.recent and rng.random() < P_COPIED_MINUTES:
            source_name, source = rng.choice(self.recent)
            return minutes_text.copy_with_edits(
                rng, source, org_from=source_name, org_to=name, day=day
            )
        text = self.composer.minutes(org=name, kind=kind, day=day, expected=max(size, 1))
        if len(self.recent) < self.keep:
            self.recent.append((name, text))
        else:
            self.recent[rng.randrange(self.keep)] = (name, text)
        return text


# The near-duplicate rule's own figures (the rulebook's, no federation override in the demo).
SHINGLE_CHARS = int(params.value("integrity.minutes_copied", "shingle_chars"))
MIN_CHARS = int(params.value("integrity.minutes_copied", "min_chars"))


def meeting_rows(party_org_id, start, end, regime, size, name="", writer=None):
    """The same meetings as ``meetings.meetings_for``, as plain tuples for ``insert_meetings``
    (building 10^7 model instances costs more than writing the rows); the last year's with
    full minutes when a ``writer`` is given."""
    rows = []
    for kind, periods, offset in regime:
        topic = TOPICS[kind]
        for first, last in periods(start, end):
            day = day_within(first, last, start, end, offset)
            if day is None:
                continue
            present = max(size - (day.toordinal() % 3 == 0), 0)
            text = writer.minutes(name, str(kind), day, size) if writer else None
            text = text or f"会议由支部书记主持，应到党员{size}名，实到{present}名。"
            rows.append(
                (
                    party_org_id,
                    str(kind),
                    day,
                    f"{day.year}年{topic}",
                    size or None,
                    present or None,
                    text,
                    # Stored as the meeting services store them (sign_minutes); the one-line
                    # notes, never compared, unsigned.
                    *similarity.stored(text, SHINGLE_CHARS, MIN_CHARS),
                )
            )
    return rows


def insert_meetings(rows):
    """Meeting rows by one raw write (``COPY`` on PostgreSQL; created/updated stamped now)."""
    writer = Rows(
        Meeting,
        [
            "party_organization_id",
            "kind",
            "held_on",
            "topic",
            "expected_count",
            "present_count",
            "minutes",
            "minutes_chars",
            "minutes_signature",
            "minutes_digest",
        ],
    )
    writer.rows = rows
    writer.write()
