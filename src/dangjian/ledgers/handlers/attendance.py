"""The attendance ledger (会议签到台账): one row per member and meeting, for meetings already
in the ledger. Written through orglife's services like the pages' records, so whether each
member votes comes from the same definition (``orglife.queries.expected_attendees``) and the
meeting's 应到 / 实到 and quorum are settled the same way.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from dangjian.ledgers.engine import CHANGED, NEW, UNCHANGED
from dangjian.ledgers.handlers.base import Handler, show
from dangjian.orglife import services as orglife_services
from dangjian.orglife.models import Attendance, Meeting
from dangjian.orglife.queries import expected_attendees


class AttendanceHandler(Handler):
    ledger = "attendance"

    def load(self, ctx, present):
        super().load(ctx, present)
        self.load_party_orgs(ctx)
        self.meetings: dict[tuple, list[Meeting]] = {}
        self.roles: dict[int, dict[int, str]] = {}
        self.by_pk: dict[int, Meeting] = {}

    def _meetings_of(self, party_org: int, kind: str, held_on) -> list[Meeting]:
        key = (party_org, kind, held_on)
        if key not in self.meetings:
            found = list(
                Meeting.objects.filter(
                    party_organization_id=party_org,
                    kind=kind,
                    held_on=held_on,
                    status=Meeting.Status.HELD,
                ).select_related("party_organization__federation")
            )
            self.meetings[key] = found
            self.by_pk.update({m.pk: m for m in found})
        return self.meetings[key]

    def _meeting_for(self, row, party_org: int) -> Meeting | None:
        rec = row.record
        if not rec.get("kind") or not rec.get("held_on"):
            return None
        found = self._meetings_of(party_org, rec["kind"], rec["held_on"])
        topic = (rec.get("topic") or "").strip()
        if topic:
            found = [m for m in found if m.topic.strip() == topic]
        if not found:
            row.errors["held_on"] = _(
                "No meeting of this kind held on this day is in the ledger; import the meeting "
                "first (organizational life ledger)."
            )
            return None
        if len(found) > 1:
            row.errors["topic"] = _(
                "Several meetings of this kind were held on this day; fill in the topic."
            )
            return None
        return found[0]

    def check(self, ctx, row):
        rec = row.record
        party_org = self.party_org_for(row, "party_org")
        meeting = self._meeting_for(row, party_org) if party_org else None
        member = self.member_for(ctx, row)
        if rec.get("status") == Attendance.Status.ABSENT and not rec.get("reason"):
            row.errors["reason"] = _("Give the reason of absence.")
        row.key = (meeting.pk if meeting else None, member)
        if meeting and member:
            self.duplicate(row, row.key, "id_number")
        rec["_meeting"], rec["_member"] = meeting, member
        row.label = rec.get("name") or ""

    def _role(self, meeting: Meeting, member: int) -> str:
        if meeting.pk not in self.roles:
            self.roles[meeting.pk] = {e.member.pk: e.role for e in expected_attendees(meeting)}
        return self.roles[meeting.pk].get(member, Attendance.Role.GUEST)

    def _values(self, row) -> dict:
        rec = row.record
        absent = rec.get("status") == Attendance.Status.ABSENT
        return {
            "status": rec["status"],
            "reason": (rec.get("reason") or "") if absent else "",
            "note": rec.get("note") or "",
        }

    def classify(self, ctx, rows):
        keys = [r.key for r in rows if not r.errors]
        existing = {
            (a.meeting_id, a.member_id): a
            for a in Attendance.objects.filter(
                meeting_id__in={k[0] for k in keys}, member_id__in={k[1] for k in keys}
            )
        }
        for row in rows:
            values = self._values(row)
            row.record["_values"] = values
            obj = existing.get(row.key)
            if obj is None:
                row.status = NEW
                row.changes = {
                    self.columns[k].header: ["", show(self.columns[k], v)]
                    for k, v in values.items()
                    if v
                }
                continue
            self.compare(row, obj, values, {})
            row.status = CHANGED if row.changes else UNCHANGED

    def apply(self, ctx, rows):
        orglife_services.record_attendance_bulk(
            [
                {
                    "meeting": r.record["_meeting"],
                    "member_id": r.record["_member"],
                    "role": self._role(r.record["_meeting"], r.record["_member"]),
                    "name": r.label,
                    **r.record["_values"],
                }
                for r in rows
                if r.status in (NEW, CHANGED)
            ],
            actor=ctx.user,
            note=self.note,
        )
