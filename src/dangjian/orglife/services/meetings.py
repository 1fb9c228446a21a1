"""Meetings: planned, edited, recorded as held, imported, removed.

Whatever writes a meeting — the secretary's pages, the ledger import, the admin, the demo —
comes through here, and ``settle`` derives the same numbers from what was written: 应到 /
实到 and the voters from the attendance when it is recorded (else as given), the quorum, and
whether the meeting counts as the required one (``Meeting.counts``, which the rules read).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.audit import record_change, record_event, snapshot
from dangjian.core.concurrency import claim
from dangjian.core.events import AuditEvent
from dangjian.orglife import quorum, similarity
from dangjian.orglife.minutes import clean_minutes
from dangjian.orglife.models import Attendance, Meeting, Resolution
from dangjian.orglife.queries import Expected, expected_attendees, people_of
from dangjian.orglife.services import bands
from dangjian.orglife.services.attendance import write_marks
from dangjian.orglife.services.contact import attendance_changed
from dangjian.orglife.services.counts import settle
from dangjian.orglife.services.journal import meetings_changed
from dangjian.party.models import PartyOrganization
from dangjian.party.services.common import delete_fact
from dangjian.registry.models import Federation
from dangjian.rulebook import params

BATCH = 2000
MEETING_FIELDS = (
    "party_organization",
    "party_organization_id",
    "kind",
    "status",
    "held_on",
    "starts_at",
    "ends_at",
    "place",
    "chair",
    "chair_id",
    "recorder",
    "recorder_id",
    "topic",
    "expected_count",
    "present_count",
    "voters_expected",
    "voters_present",
    "minutes",
)
# What a secretary sets when planning or editing (the counts come from the attendance).
PLAN_FIELDS = ("kind", "held_on", "starts_at", "ends_at", "place", "chair", "recorder", "topic")
RECORD_FIELDS = (*PLAN_FIELDS, "minutes")
# How far ahead a meeting may be planned.
PLAN_AHEAD = datetime.timedelta(days=366)


def _check(values: dict, *, today: datetime.date | None = None) -> None:
    held_on = values.get("held_on")
    if held_on is None:
        raise ValidationError(_("The meeting date is required."))
    today = today or timezone.localdate()
    if values.get("status", Meeting.Status.HELD) == Meeting.Status.HELD and held_on > today:
        raise ValidationError(_("This date is in the future."))
    if today < datetime.date.max - PLAN_AHEAD and held_on > today + PLAN_AHEAD:
        raise ValidationError(_("A meeting can be planned at most a year ahead."))
    starts, ends = values.get("starts_at"), values.get("ends_at")
    if starts and ends and ends <= starts:
        raise ValidationError(_("The meeting must end after it starts."))
    expected, present = values.get("expected_count"), values.get("present_count")
    if expected is not None and present is not None and present > expected:
        raise ValidationError(_("More people present than expected."))
    voters, voting = values.get("voters_expected"), values.get("voters_present")
    if voters is not None and voting is not None and voting > voters:
        raise ValidationError(_("More members with a vote present than expected."))
    unknown = set(values) - set(MEETING_FIELDS)
    if unknown:
        raise ValidationError(
            _("The field %(field)s cannot be changed here.") % {"field": sorted(unknown)[0]}
        )
    if "minutes" in values:
        values["minutes"] = clean_minutes(values["minutes"])


MINUTES_RULE = "integrity.minutes_copied"
# The fields a stored signature depends on: the text, and the organization (its federation's
# shingle length).
SIGNED_FROM = {"minutes", "party_organization", "party_organization_id"}


def shingle_chars(federation, cache: dict | None = None) -> int:
    """The near-duplicate rule's shingle length for ``federation`` today (what a stored
    signature is made with; the rule signs again a signature made with another)."""
    key = ("shingle_chars", getattr(federation, "pk", None))
    if cache is not None and key in cache:
        return cache[key]
    k = int(params.value(MINUTES_RULE, "shingle_chars", federation=federation))
    if cache is not None:
        cache[key] = k
    return k


def sign_minutes(meeting: Meeting, federation=None, cache: dict | None = None) -> None:
    """Set the meeting's stored minutes length, MinHash signature and its digest from its
    minutes, before it is saved: every writer of minutes calls it, so the near-duplicate rule
    reads digests and signatures, not a year of texts."""
    if meeting.minutes and federation is None:
        federation = meeting.party_organization.federation
    k = shingle_chars(federation, cache) if meeting.minutes else 0
    meeting.minutes_chars, meeting.minutes_signature, meeting.minutes_digest = similarity.stored(
        meeting.minutes, k
    )


def _check_people(meeting: Meeting, expected: list[Expected] | None = None) -> None:
    """O-6: the chair and the recorder are members of the organization (``expected``: the
    meeting's expected attendees, when the caller already read them)."""
    chosen = {"chair": meeting.chair_id, "recorder": meeting.recorder_id}
    if not any(chosen.values()):
        return
    allowed = people_of(meeting, expected)
    for field, pk in chosen.items():
        if pk and pk not in allowed:
            raise ValidationError(
                {
                    field: _(
                        "The chair and the recorder must be members of this party organization "
                        "on the day of the meeting."
                    )
                }
            )


# -- the secretary's pages -----------------------------------------------------------------------


@transaction.atomic
def plan_meeting(party_org, values: dict, *, actor, note="") -> Meeting:
    """Plan a meeting (its date may lie ahead): kind, date, start and end, place, chair,
    recorder, topic. It counts for nothing until it is recorded as held."""
    values = {k: v for k, v in values.items() if k in PLAN_FIELDS}
    values["status"] = Meeting.Status.PLANNED
    _check(values)
    meeting = Meeting(party_organization=party_org, **values)
    _check_people(meeting)
    meeting.counts = False
    meeting.save()
    meetings_changed([meeting.party_organization_id])
    record_change(actor, meeting, None, note=note)
    return meeting


def _edit(
    meeting: Meeting,
    values: dict,
    *,
    version,
    attendees: bool = False,
    known: list[Expected] | None = None,
) -> tuple[Meeting, dict, list[Expected] | None]:
    """``edit_meeting``'s checks, without saving, settling or auditing: the meeting locked at
    the next version with ``values`` set, its snapshot as the user read it, and — when
    ``attendees`` — its expected attendees on the day and kind it now has (read once, for
    the chair and recorder check and the marks; ``known``: as the caller read them for
    ``meeting``, taken when the organization, day and kind are still those)."""
    unknown = set(values) - set(RECORD_FIELDS)
    if unknown:
        raise ValidationError(
            _("The field %(field)s cannot be changed here.") % {"field": sorted(unknown)[0]}
        )
    locked = claim(
        Meeting.objects.select_related("party_organization__federation"), meeting.pk, version
    )
    before = snapshot(meeting)  # as the user read it; the claim already took the next version
    before["version"] = locked.version - 1
    for field, value in values.items():
        setattr(locked, field, value)
    checked = {f: getattr(locked, f) for f in MEETING_FIELDS if not f.endswith("_id")}
    checked.pop("party_organization")
    _check(checked)
    locked.minutes = checked["minutes"]
    expected = None
    if attendees:
        same = (meeting.party_organization_id, meeting.held_on, meeting.kind) == (
            locked.party_organization_id,
            locked.held_on,
            locked.kind,
        )
        expected = known if known is not None and same else expected_attendees(locked)
    _check_people(locked, expected)
    # The signature as stored, for its bands (``bands.refresh``; not part of the snapshot).
    before["_signature"] = locked.minutes_signature
    if "minutes" in values:
        sign_minutes(locked)
    return locked, before, expected


@transaction.atomic
def edit_meeting(meeting: Meeting, values: dict, *, version, actor, note="") -> Meeting:
    """Change a meeting's plan or record as read at ``version`` (``core.errors.Conflict`` when
    someone else changed it since)."""
    locked, before, _ = _edit(meeting, values, version=version)
    locked.save()
    bands.refresh([locked], before={locked.pk: before.pop("_signature")})
    settle(locked)
    record_change(actor, locked, before, note=note)
    return locked


@transaction.atomic
def record_held(
    meeting: Meeting,
    values: dict,
    *,
    version,
    marks: dict[int, dict],
    guests: Iterable[int] = (),
    resolutions: Iterable[dict] = (),
    expected: list[Expected] | None = None,
    actor,
    note="",
) -> Meeting:
    """Record the meeting as held: its minutes and details (``values``), who attended
    (``marks``: member id → {"status", "reason", "note"} for every member expected; ``guests``:
    members of other branches who attended, not counted) and the resolutions with their votes.
    ``expected``: ``expected_attendees(meeting)`` when the caller read them for its form in
    this request (the record page), so they are not read twice; read again if ``values``
    change the day or kind.

    A QR sign-in already recorded stays as it was taken unless the mark changes it. The
    numbers, the quorum and whether the meeting counts follow (``settle``). One change record
    for the meeting (details, status, numbers) and one event listing each member's attendance
    change; a fixed number of queries whatever the number of members
    (``tests/orglife/test_record_queries.py``).
    """
    locked, before, expected = _edit(
        meeting, values, version=version, attendees=True, known=expected
    )
    if locked.held_on > timezone.localdate():
        raise ValidationError(_("A meeting can be recorded as held only on or after its day."))
    if locked.status == Meeting.Status.PLANNED:
        # The record is written now (the late-record rule compares it with the meeting's day).
        locked.recorded_at = timezone.now()
    locked.status = Meeting.Status.HELD
    locked.save()
    bands.refresh([locked], before={locked.pk: before.pop("_signature")})
    write_marks(locked, marks, guests, actor=actor, expected=expected)
    _write_resolutions(locked, list(resolutions))
    settle(locked)
    record_change(actor, locked, before, note=note)
    record_event(
        actor,
        AuditEvent.ORGLIFE_MEETING_RECORDED,
        locked,
        expected=locked.expected_count,
        present=locked.present_count,
        quorum_met=locked.quorum_met,
        counts=locked.counts,
    )
    return locked


def _write_resolutions(meeting: Meeting, rows: list[dict]) -> None:
    limit = meeting.attendance.filter(status=Attendance.Status.PRESENT).count() if rows else 0
    for row in rows:
        votes = row.get("votes_for", 0) + row.get("votes_against", 0) + row.get("abstentions", 0)
        if votes > limit:
            raise ValidationError(
                _(
                    "The votes on “%(text)s” (%(votes)d) are more than the members present "
                    "(%(present)d)."
                )
                % {"text": row.get("text", "")[:30], "votes": votes, "present": limit}
            )
    meeting.resolutions.all().delete()
    Resolution.objects.bulk_create(
        Resolution(
            meeting=meeting,
            text=row["text"],
            votes_for=row.get("votes_for", 0),
            votes_against=row.get("votes_against", 0),
            abstentions=row.get("abstentions", 0),
        )
        for row in rows
        if row.get("text")
    )


# -- one held meeting (the admin), many (the ledger import, the demo) ----------------------------


@transaction.atomic
def record_meeting(
    party_org,
    *,
    kind: str,
    held_on: datetime.date,
    topic: str = "",
    expected_count: int | None = None,
    present_count: int | None = None,
    minutes: str = "",
    actor,
    note="",
    **more,
) -> Meeting:
    """Record a meeting the party organization held (never one in the future)."""
    values = {
        "kind": kind,
        "held_on": held_on,
        "topic": topic,
        "expected_count": expected_count,
        "present_count": present_count,
        "minutes": minutes,
        **more,
    }
    _check(values)
    meeting = Meeting(party_organization=party_org, recorded_at=timezone.now(), **values)
    sign_minutes(meeting)
    meeting.save(force_insert=True)
    bands.refresh([meeting], new=True)
    settle(meeting)
    record_change(actor, meeting, None, note=note)
    return meeting


@transaction.atomic
def update_meeting(meeting: Meeting, values: dict, *, actor, note="") -> Meeting:
    """Change a meeting outside the pages (the admin): no version to check."""
    before = snapshot(meeting)
    was = meeting.party_organization_id  # it may move to another organization
    for field, value in values.items():
        setattr(meeting, field, value)
    checked = {f: getattr(meeting, f) for f in MEETING_FIELDS if not f.endswith("_id")}
    checked.pop("party_organization")
    _check(checked)
    meeting.minutes = checked["minutes"]
    sign_minutes(meeting)  # the organization, hence the rule's parameters, may change too
    meeting.save()
    bands.refresh([meeting], moved_from=was if was != meeting.party_organization_id else None)
    settle(meeting)
    if was != meeting.party_organization_id:
        meetings_changed([was])
    record_change(actor, meeting, before, note=note)
    return meeting


@transaction.atomic
def delete_meeting(meeting: Meeting, *, actor, note="") -> None:
    """Remove a meeting recorded (or planned) by mistake, with its attendance and files."""
    for attachment in meeting.attachments.all():
        attachment.file.delete(save=False)
    was = meeting.party_organization_id
    attended = list(meeting.attendance.values_list("member_id", flat=True))
    bands.forget([meeting.pk])
    delete_fact(meeting, actor=actor, note=note)
    meetings_changed([was])
    attendance_changed(attended)


BULK_FIELDS = (
    "party_organization_id",
    "kind",
    "held_on",
    "starts_at",
    "ends_at",
    "place",
    "topic",
    "expected_count",
    "present_count",
    "voters_expected",
    "voters_present",
    "minutes",
)


def _derive(meeting: Meeting, federation, cache: dict) -> None:
    """``settle`` for a new held meeting without attendance, before it is saved (bulk paths;
    ``cache`` keeps the thresholds read for the run)."""
    expected, present = meeting.voters_expected, meeting.voters_present
    if expected is None and present is None:
        expected, present = meeting.expected_count, meeting.present_count
    meeting.quorum_met = quorum.quorum_met(
        meeting.kind, expected, present, day=meeting.held_on, federation=federation, cache=cache
    )
    meeting.counts = meeting.quorum_met is not False


@transaction.atomic
def record_meetings_bulk(
    rows: Iterable[dict | Meeting], *, actor, note: str = "", today: datetime.date | None = None
) -> list[Meeting]:
    """Record many held meetings: rows of ``party_organization_id`` (or
    ``party_organization``), ``kind``, ``held_on``, ``topic``, ``expected_count``,
    ``present_count``, ``voters_expected``, ``voters_present``, ``minutes`` (and the times
    and place). Unsaved Meeting instances are taken too. ``today``, when given, refuses a
    meeting after it. One audit event with the count."""
    objs = []
    for row in rows:
        if isinstance(row, Meeting):  # built unsaved by the caller (the demo's generator)
            row = {f: getattr(row, f) for f in BULK_FIELDS}
        values = {k: v for k, v in row.items() if k in MEETING_FIELDS}
        values.pop("status", None)
        _check(values, today=today or datetime.date.max)
        objs.append(Meeting(**values))
    federations = dict(
        PartyOrganization.objects.filter(pk__in={m.party_organization_id for m in objs})
        .select_related("federation")
        .values_list("pk", "federation")
    )
    by_pk = Federation.objects.in_bulk(set(federations.values()))
    cache: dict = {}
    for meeting in objs:
        federation = by_pk.get(federations.get(meeting.party_organization_id))
        _derive(meeting, federation, cache)
        sign_minutes(meeting, federation, cache)
    Meeting.objects.bulk_create(objs, batch_size=BATCH)
    bands.refresh(objs, new=True)
    meetings_changed({m.party_organization_id for m in objs})
    if objs:
        record_event(
            actor, AuditEvent.ORGLIFE_MEETINGS_RECORDED, None, note=note, created=len(objs)
        )
    return objs


@transaction.atomic
def update_meetings_bulk(changes: Iterable[tuple[Meeting, dict]], *, actor, note="") -> int:
    """Change many meetings: ``(meeting, {field: value})`` pairs. Returns how many changed."""
    changed = 0
    cache: dict = {}
    for meeting, values in changes:
        before = snapshot(meeting)
        was = meeting.party_organization_id  # it may move to another organization
        for field, value in values.items():
            setattr(meeting, field, value)
        if "minutes" in values:
            meeting.minutes = clean_minutes(meeting.minutes)
        if SIGNED_FROM & set(values):
            sign_minutes(meeting, cache=cache)
        meeting.save()
        bands.refresh([meeting], moved_from=was if was != meeting.party_organization_id else None)
        settle(meeting)
        if was != meeting.party_organization_id:
            meetings_changed([was])
        changed += record_change(actor, meeting, before, note=note) is not None
    return changed
