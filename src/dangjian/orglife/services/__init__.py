"""Every write on organizational-life records (三会一课, 主题党日, 组织生活会, 民主评议,
谈心谈话, study sessions): meetings, attendance, resolutions, attachments.

Keyword ``actor``, atomic, audited; the pages, the ledger import, the demo and the admin call
these, so what each writes is judged alike (``counts.settle``).
"""

from dangjian.orglife.services.attachments import add_attachment, remove_attachment
from dangjian.orglife.services.attendance import (
    record_attendance_bulk,
    record_refused_sign_in,
    sign_in,
    sign_in_refusal,
    write_marks,
)
from dangjian.orglife.services.counts import settle
from dangjian.orglife.services.elections import record_election
from dangjian.orglife.services.meetings import (
    MEETING_FIELDS,
    PLAN_FIELDS,
    RECORD_FIELDS,
    delete_meeting,
    edit_meeting,
    plan_meeting,
    record_held,
    record_meeting,
    record_meetings_bulk,
    update_meeting,
    update_meetings_bulk,
)

__all__ = [
    "MEETING_FIELDS",
    "PLAN_FIELDS",
    "RECORD_FIELDS",
    "add_attachment",
    "delete_meeting",
    "edit_meeting",
    "plan_meeting",
    "record_attendance_bulk",
    "record_election",
    "record_held",
    "record_meeting",
    "record_meetings_bulk",
    "record_refused_sign_in",
    "remove_attachment",
    "settle",
    "sign_in",
    "sign_in_refusal",
    "update_meeting",
    "update_meetings_bulk",
    "write_marks",
]
