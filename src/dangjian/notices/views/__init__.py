"""Notice pages: the sender's list, writing and publishing (``sending``), the notice's page
(the sender's figures or the recipient's receipt), the receipts' drill-down, signing, feedback,
review (``notice_page``), the recipient's inbox and the bell (``recipients``), and the
recurring duties (``recurring_duties``); what they share is in ``common``. Thin: the one door
gives the objects, the services write."""

from dangjian.notices.views.notice_page import (
    file_download,
    notice_detail,
    receipt_feedback,
    receipt_leave,
    receipt_list,
    receipt_review,
    receipt_sign,
)
from dangjian.notices.views.recipients import (
    bell,
    inbox,
    notification_open,
    notifications,
    notifications_seen,
)
from dangjian.notices.views.recurring_duties import duty_edit, duty_end, duty_list, duty_new
from dangjian.notices.views.sending import (
    notice_edit,
    notice_list,
    notice_new,
    notice_publish,
    notice_republish,
    notice_withdraw,
)

__all__ = [
    "bell",
    "duty_edit",
    "duty_end",
    "duty_list",
    "duty_new",
    "file_download",
    "inbox",
    "notice_detail",
    "notice_edit",
    "notice_list",
    "notice_new",
    "notice_publish",
    "notice_republish",
    "notice_withdraw",
    "notification_open",
    "notifications",
    "notifications_seen",
    "receipt_feedback",
    "receipt_leave",
    "receipt_list",
    "receipt_review",
    "receipt_sign",
]
