"""The yearly meeting counts (the months held as bits, and how many) and the most present at
one meeting a year stay in step with the meetings through every writer: recorded, planned,
held, moved, deleted, in bulk and through the ledger import's bulk path; the rebuild command
finds no drift, and repairs (and reports) one made behind the services' back."""

from __future__ import annotations

import datetime
import io

from django.core.management import call_command
from django.utils import translation

from dangjian.orglife import services
from dangjian.orglife.models import Meeting, MeetingCount, PresentPeak
from dangjian.orglife.services.period_counts import rebuild
from dangjian.party.models import PartyOrganization
from dangjian.registry.models import Federation

D = datetime.date


def counts(po):
    """{(kind, year): ([months held, 1–12], meetings)} of one party organization."""
    return {
        (kind, year): ([m + 1 for m in range(12) if months >> m & 1], n)
        for kind, year, months, n in MeetingCount.objects.filter(party_organization=po).values_list(
            "kind", "year", "months", "held"
        )
    }


def peaks(po):
    """{year: most present at one meeting} of one party organization."""
    return dict(PresentPeak.objects.filter(party_organization=po).values_list("year", "most"))


def two_branches(short: str) -> tuple[PartyOrganization, PartyOrganization]:
    """Two branches of a new federation, named after ``short``."""
    fed = Federation.objects.create(
        name=f"{short}联合会",
        short_name=short,
        level=Federation.Level.CITY,
        founded_on=D(2018, 1, 1),
    )
    a, b = (
        PartyOrganization.objects.create(
            name=f"{short}{name}",
            kind=PartyOrganization.Kind.BRANCH,
            federation=fed,
            valid_from=D(2019, 1, 1),
        )
        for name in ("甲支部", "乙支部")
    )
    return a, b


def test_every_writer_keeps_the_counts(db):
    a, b = two_branches("计数")
    first = services.record_meeting(a, kind="general_meeting", held_on=D(2025, 2, 3), actor=None)
    services.record_meeting(a, kind="general_meeting", held_on=D(2025, 2, 20), actor=None)
    assert counts(a) == {("general_meeting", 2025): ([2], 2)}
    # A plan counts for nothing.
    services.plan_meeting(a, {"kind": "party_lesson", "held_on": D(2025, 3, 1)}, actor=None)
    assert counts(a) == {("general_meeting", 2025): ([2], 2)}
    # Moved to March, then to the other branch.
    services.update_meeting(first, {"held_on": D(2025, 3, 5)}, actor=None)
    assert counts(a) == {("general_meeting", 2025): ([2, 3], 2)}
    services.update_meeting(first, {"party_organization": b}, actor=None)
    assert counts(a) == {("general_meeting", 2025): ([2], 1)}
    assert counts(b) == {("general_meeting", 2025): ([3], 1)}
    # Deleted.
    services.delete_meeting(first, actor=None)
    assert counts(b) == {}
    # In bulk (the ledger import's path), then changed in bulk.
    made = services.record_meetings_bulk(
        [
            {"party_organization_id": b.pk, "kind": "theme_day", "held_on": D(2024, 12, 31)},
            {"party_organization_id": b.pk, "kind": "theme_day", "held_on": D(2024, 12, 1)},
            {"party_organization_id": a.pk, "kind": "life_meeting", "held_on": D(2024, 6, 1)},
        ],
        actor=None,
    )
    assert counts(b) == {("theme_day", 2024): ([12], 2)}
    services.update_meetings_bulk([(made[0], {"kind": "party_lesson"})], actor=None)
    assert counts(b) == {("theme_day", 2024): ([12], 1), ("party_lesson", 2024): ([12], 1)}
    assert counts(a)[("life_meeting", 2024)] == ([6], 1)
    # Months of one year are bits of one row; January and December are its ends.
    services.record_meeting(b, kind="theme_day", held_on=D(2024, 1, 1), actor=None)
    services.record_meeting(b, kind="theme_day", held_on=D(2023, 12, 31), actor=None)
    assert counts(b)[("theme_day", 2024)] == ([1, 12], 2)
    assert counts(b)[("theme_day", 2023)] == ([12], 1)
    drift = rebuild()
    assert (drift["missing"], drift["extra"], drift["wrong"]) == (0, 0, 0)


def test_every_writer_keeps_the_most_present(db):
    a, b = two_branches("到会")

    def record(po, kind, day, present):
        return services.record_meeting(
            po, kind=kind, held_on=day, expected_count=present, present_count=present, actor=None
        )

    first = record(a, "general_meeting", D(2025, 2, 3), 7)
    record(a, "party_lesson", D(2025, 12, 31), 5)
    record(a, "theme_day", D(2024, 12, 31), 4)
    assert peaks(a) == {2025: 7, 2024: 4}
    # Talks and "other" meetings may count people who are not members: never the most present.
    record(a, "heart_to_heart", D(2025, 5, 1), 30)
    record(a, "other", D(2025, 5, 2), 30)
    # A plan, and a meeting with nobody counted, hold no row.
    services.plan_meeting(a, {"kind": "party_lesson", "held_on": D(2026, 3, 1)}, actor=None)
    record(b, "theme_day", D(2023, 3, 1), 0)
    assert peaks(a) == {2025: 7, 2024: 4} and peaks(b) == {}
    # Edited down, then moved to the other branch: the year's next most takes its place.
    services.update_meeting(first, {"present_count": 6, "expected_count": 6}, actor=None)
    assert peaks(a)[2025] == 6
    services.update_meeting(first, {"party_organization": b}, actor=None)
    assert peaks(a) == {2025: 5, 2024: 4} and peaks(b) == {2025: 6}
    services.delete_meeting(first, actor=None)
    assert peaks(b) == {}
    # In bulk (the ledger import's path), then changed in bulk.
    made = services.record_meetings_bulk(
        [
            {
                "party_organization_id": b.pk,
                "kind": "theme_day",
                "held_on": D(2024, 6, 1),
                "expected_count": 9,
                "present_count": 9,
            },
            {
                "party_organization_id": b.pk,
                "kind": "theme_day",
                "held_on": D(2024, 7, 1),
                "expected_count": 3,
                "present_count": 3,
            },
        ],
        actor=None,
    )
    assert peaks(b) == {2024: 9}
    services.update_meetings_bulk([(made[0], {"kind": "heart_to_heart"})], actor=None)
    assert peaks(b) == {2024: 3}
    drift = rebuild()
    assert (drift["missing"], drift["extra"], drift["wrong"]) == (0, 0, 0)


def recount_command() -> str:
    out = io.StringIO()
    with translation.override("zh-hans"):
        call_command("recount_meetings", stdout=out)
    return out.getvalue()


def test_the_command_reports_and_repairs_drift(db):
    assert "偏差：缺 0 条，多 0 条，错 0 条" in recount_command()  # the demo's meetings, kept
    meeting = Meeting.objects.filter(counts=True).first()
    Meeting.objects.filter(pk=meeting.pk).update(counts=False)  # behind the services' back
    text = recount_command()
    assert "错 1 条" in text or "多 1 条" in text
    assert "已修复" in text
    assert "偏差：缺 0 条，多 0 条，错 0 条" in recount_command()
    # The most present likewise: one meeting made its year's most by far, behind their back.
    meeting = (
        Meeting.objects.filter(status=Meeting.Status.HELD, present_count__gt=0)
        .exclude(kind__in=PresentPeak.PEAK_EXCLUDED_KINDS)
        .order_by("pk")
        .first()
    )
    Meeting.objects.filter(pk=meeting.pk).update(present_count=1000)
    text = recount_command()
    assert "错 1 条" in text and "已修复" in text
    peak = PresentPeak.objects.get(
        party_organization_id=meeting.party_organization_id, year=meeting.held_on.year
    )
    assert peak.most == 1000
    assert "偏差：缺 0 条，多 0 条，错 0 条" in recount_command()
