"""Who attended a meeting: marked by hand on the record, signed in by QR code on a phone, or
imported from the attendance ledger. One row per member and meeting (a unique constraint), so a
sign-in repeated after a network drop finds the row it made and counts nobody twice.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import bulk
from dangjian.core.audit import record_event, record_rows, row_values
from dangjian.core.errors import WorkflowError
from dangjian.core.events import AuditEvent
from dangjian.orglife import signin
from dangjian.orglife.models import Attendance, Meeting
from dangjian.orglife.queries import Expected, expected_attendees, guest_candidates
from dangjian.orglife.services.contact import attendance_changed
from dangjian.orglife.services.counts import settle_again
from dangjian.party.models import PartyMember

Status, Method, Role = Attendance.Status, Attendance.Method, Attendance.Role
# Rows a statement writes at once (SQLite's bound on a statement's variables included).
BATCH = 500


def _check_mark(mark: dict, name: str) -> None:
    status = mark.get("status")
    if status not in Status.values:
        raise ValidationError(
            _("Choose present or absent for %(name)s.") % {"name": name}, code="mark_missing"
        )
    if status == Status.ABSENT and mark.get("reason") not in Attendance.Reason.values:
        raise ValidationError(
            _("Give the reason why %(name)s was absent.") % {"name": name}, code="reason_missing"
        )


# What the trail keeps of each attendance row (``record_rows``: one event per record).
AUDITED = ("role", "status", "reason", "note", "method", "signed_at")


def write_marks(
    meeting: Meeting,
    marks: dict[int, dict],
    guests: Iterable[int] = (),
    *,
    actor,
    expected: list[Expected] | None = None,
) -> None:
    """Every expected member's attendance as marked on the record (the caller holds the
    meeting's row); members no longer expected lose their row, guests are added. ``expected``:
    the meeting's ``expected_attendees`` when the caller already read them for this meeting
    as it now stands (``record_held``).

    A fixed number of queries whatever the number of members: the new rows in one insert, the
    changed ones in one update, and one audit event listing each member's change (before →
    after: ``core.audit.record_rows``)."""
    if expected is None:
        expected = expected_attendees(meeting)
    missing = [e.member.name for e in expected if e.member.pk not in marks]
    if missing:
        raise ValidationError(
            _("Mark every member expected: %(names)s not marked yet.")
            % {"names": "、".join(missing[:10])},
            code="marks_incomplete",
        )
    for e in expected:
        _check_mark(marks[e.member.pk], e.member.name)
    guest_ids = set(guests) - {e.member.pk for e in expected}
    names: dict[int, str] = {e.member.pk: e.member.name for e in expected}
    if guest_ids:
        allowed = dict(guest_candidates(meeting).filter(pk__in=guest_ids).values_list("pk", "name"))
        if guest_ids - set(allowed):
            raise ValidationError(
                _(
                    "Only members working in a unit this party organization covers may attend "
                    "from another branch."
                ),
                code="guest_not_allowed",
            )
        names.update(allowed)
    existing = {a.member_id: a for a in meeting.attendance.select_related("member")}
    keep = {e.member.pk for e in expected} | guest_ids
    gone = [a for pk, a in existing.items() if pk not in keep]
    if gone:
        Attendance.objects.filter(pk__in=[a.pk for a in gone]).delete()
        attendance_changed(a.member_id for a in gone)  # off the meeting: ``settle`` misses them
    trail: list[tuple[int, str, dict | None, dict | None]] = [
        (a.member_id, a.member.name, row_values(a, AUDITED), None) for a in gone
    ]
    rows = [(e.member.pk, e.role, marks[e.member.pk]) for e in expected]
    rows += [(pk, Role.GUEST, {"status": Status.PRESENT}) for pk in sorted(guest_ids)]
    new, changed = [], []
    for pk, role, mark in rows:
        row = existing.get(pk)
        status, reason = (
            mark["status"],
            mark.get("reason", "") if mark["status"] == Status.ABSENT else "",
        )
        note = (mark.get("note") or "")[:200]
        if row is None:
            row = Attendance(
                meeting=meeting,
                member_id=pk,
                role=role,
                status=status,
                reason=reason,
                note=note,
                method=Method.HAND,
            )
            new.append(row)
            trail.append((pk, names.get(pk, f"#{pk}"), None, row_values(row, AUDITED)))
            continue
        if (row.role, row.status, row.reason, row.note) == (role, status, reason, note):
            continue
        before = row_values(row, AUDITED)
        taken_by_qr = row.method == Method.QR and row.status == Status.PRESENT
        row.role, row.status, row.reason, row.note = role, status, reason, note
        if not (taken_by_qr and status == Status.PRESENT):
            row.method, row.signed_at = Method.HAND, None
        changed.append(row)
        trail.append((pk, names.get(pk, row.member.name), before, row_values(row, AUDITED)))
    Attendance.objects.bulk_create(new, batch_size=BATCH)
    if changed:
        now = timezone.now()
        for row in changed:
            row.updated_at = now
        bulk.update_objects(changed, [*AUDITED, "updated_at"])
    record_rows(actor, AuditEvent.ORGLIFE_ATTENDANCE_MARKED, meeting, "orglife.attendance", trail)


def sign_in_refusal(
    meeting: Meeting,
    member: PartyMember | None,
    token: str,
    now: datetime.datetime,
    seen_at: datetime.datetime | None = None,
) -> str:
    """Why a QR sign-in is refused, in the user's language ("" when it is accepted). The code
    must have been fresh when the phone read it (``seen_at``, default ``now``); the sign-in
    itself must fall in the meeting's window."""
    if member is None:
        return _("Only a party member's own sign-in can sign in to a meeting.")
    if not signin.token_is_fresh(meeting, token, seen_at or now):
        return _(
            "This QR code has expired (it changes every 30 seconds). Scan the code shown in the "
            "meeting room again."
        )
    if member.pk not in {e.member.pk for e in expected_attendees(meeting)}:
        return _(
            "You are not among the members expected at this meeting, so you cannot sign in. A "
            "forwarded code does not stand in for attending."
        )
    window = signin.window(meeting)
    if window is None:
        return _("This meeting has no start time, so it cannot be signed in to by QR code.")
    opens, closes = window
    if not opens <= now <= closes:
        local = timezone.localtime
        return _(
            "Signing in is open from %(opens)s to %(closes)s on the day of the meeting; it is "
            "not open now."
        ) % {"opens": f"{local(opens):%H:%M}", "closes": f"{local(closes):%H:%M}"}
    return ""


def record_refused_sign_in(meeting: Meeting, reason: str, *, actor) -> None:
    """A refused sign-in with a real code (stale, forwarded, outside the window) is evidence
    for whoever later checks the attendance: it goes into the audit trail."""
    record_event(actor, AuditEvent.ORGLIFE_SIGN_IN_REFUSED, meeting, reason=str(reason))


def sign_in(
    meeting: Meeting,
    member: PartyMember | None,
    token: str,
    *,
    actor,
    now: datetime.datetime | None = None,
    seen_at: datetime.datetime | None = None,
) -> tuple[Attendance, bool]:
    """Mark ``member`` present at ``meeting`` by the QR code's ``token`` (read at ``seen_at``),
    at ``now``.

    Returns the attendance and whether this call made it: a retried sign-in (the phone lost
    the network after the first went through) returns the first, unchanged. A refusal is
    audited and raised as ``WorkflowError``.
    """
    now = now or timezone.now()
    refusal = sign_in_refusal(meeting, member, token, now, seen_at)
    if refusal:
        record_refused_sign_in(meeting, refusal, actor=actor)
        raise WorkflowError(refusal)
    assert member is not None  # sign_in_refusal refuses None
    role = next(e.role for e in expected_attendees(meeting) if e.member.pk == member.pk)
    try:
        with transaction.atomic():
            # The meeting's row first: a secretary saving the record meanwhile waits for us.
            locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
            row = Attendance.objects.filter(meeting=meeting, member=member).first()
            if row is not None and row.status == Status.PRESENT:
                return row, False
            if row is None:
                row = Attendance.objects.create(
                    meeting=meeting,
                    member=member,
                    role=role,
                    status=Status.PRESENT,
                    method=Method.QR,
                    signed_at=now,
                )
            else:  # marked absent (a leave asked for beforehand) but came after all
                row.status, row.reason, row.method, row.signed_at = (
                    Status.PRESENT,
                    "",
                    Method.QR,
                    now,
                )
                row.save()
            if locked.status == Meeting.Status.HELD:
                settle_again(locked)
            record_event(actor, AuditEvent.ORGLIFE_SIGNED_IN, meeting, member=member.pk)
            return row, True
    except IntegrityError:
        # Two requests of the same retry raced: the other one made the row.
        return Attendance.objects.get(meeting=meeting, member=member), False


# -- the attendance ledger -----------------------------------------------------------------------


@transaction.atomic
def record_attendance_bulk(
    rows: Iterable[dict], *, actor, note: str = "", now: datetime.datetime | None = None
) -> int:
    """Write imported attendance: rows of ``meeting`` (a Meeting), ``member_id``, ``role``,
    ``status``, ``reason``, ``note``. A row for a member already recorded replaces it. Each
    meeting touched is settled as a page's record is. One audit event with the count."""
    rows = list(rows)
    for row in rows:
        _check_mark(row, str(row.get("name") or row["member_id"]))
    touched: dict[int, Meeting] = {}
    written = 0
    for row in rows:
        meeting = row["meeting"]
        touched[meeting.pk] = meeting
        Attendance.objects.update_or_create(
            meeting=meeting,
            member_id=row["member_id"],
            defaults={
                "role": row.get("role") or Role.VOTER,
                "status": row["status"],
                "reason": row.get("reason", "") if row["status"] == Status.ABSENT else "",
                "note": (row.get("note") or "")[:200],
                "method": Method.IMPORT,
                "signed_at": None,
            },
        )
        written += 1
    for meeting in touched.values():
        settle_again(meeting)
    if written:
        record_event(actor, AuditEvent.ORGLIFE_ATTENDANCE_IMPORTED, None, note=note, rows=written)
    return written
