"""Pages of organizational life (thin: the one door reads, the services write)."""

from dangjian.orglife.views.elections import election_record
from dangjian.orglife.views.meetings import (
    attachment_add,
    attachment_download,
    attachment_remove,
    meeting_delete,
    meeting_detail,
    meeting_edit,
    meeting_list,
    meeting_plan,
    meeting_record,
)
from dangjian.orglife.views.signin import meeting_qr, meeting_sign_in
from dangjian.orglife.views.workspace import mine, workspace

__all__ = [
    "attachment_add",
    "attachment_download",
    "attachment_remove",
    "election_record",
    "meeting_delete",
    "meeting_detail",
    "meeting_edit",
    "meeting_list",
    "meeting_plan",
    "meeting_qr",
    "meeting_record",
    "meeting_sign_in",
    "mine",
    "workspace",
]
