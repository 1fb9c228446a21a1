"""Every write of the notices app: one function per business action, atomic, audited.

The life of a notice (LIFECYCLE.md §5): a draft is written (``drafts``) and published;
publishing resolves its targets once (``targets``) and freezes them as receipt rows (N-1) and
its content with them (N-4). A published notice is withdrawn (the receipts stay, as history)
or replaced by a new version whose receipts start again, with a reason (``publishing``). Each
receipt goes unread → read (first opened) → signed (who, when) and, for a task, → feedback
submitted → done, or returned for more (N-2, N-7; ``receipts``). Reminders go out before the
signing deadline and at it, each once, and likewise before a task's feedback deadline and at
it (N-3, ``send_reminders`` in ``reminders``, run by ``dangjian remind_notices``, ``dangjian
nightly`` and ``dangjian scheduler``; the deadlines themselves in ``deadlines``). A meeting
notice is answered by each member, who signs or asks for leave with a reason (N-5,
``ask_leave``).

Notifications (the bell, ``notifications``) are messages that go with an audited event — a
publication, a reminder, a review, a decision about a unit — and carry no audit row of their
own. The helpers several modules share are in ``common``. One module per concern, every public
name re-exported here.
"""

from dangjian.notices.services.deadlines import (
    deadline_provisional,
    default_deadline,
    default_feedback_deadline,
)
from dangjian.notices.services.drafts import (
    ALLOWED_FILES,
    CONTENT_FIELDS,
    MAX_FILES,
    TARGET_FIELDS,
    add_file,
    create_notice,
    set_targets,
    update_draft,
)
from dangjian.notices.services.notifications import (
    mark_all_seen,
    mark_seen,
    notify,
    notify_decision,
)
from dangjian.notices.services.publishing import publish, republish, withdraw
from dangjian.notices.services.receipts import ask_leave, mark_read, review, sign, submit_feedback
from dangjian.notices.services.reminders import send_reminders
from dangjian.notices.services.targets import Target, resolve_targets, sender_branches, sender_units

__all__ = [
    "ALLOWED_FILES",
    "CONTENT_FIELDS",
    "MAX_FILES",
    "TARGET_FIELDS",
    "Target",
    "add_file",
    "ask_leave",
    "create_notice",
    "deadline_provisional",
    "default_deadline",
    "default_feedback_deadline",
    "mark_all_seen",
    "mark_read",
    "mark_seen",
    "notify",
    "notify_decision",
    "publish",
    "republish",
    "resolve_targets",
    "review",
    "send_reminders",
    "sender_branches",
    "sender_units",
    "set_targets",
    "sign",
    "submit_feedback",
    "update_draft",
    "withdraw",
]
