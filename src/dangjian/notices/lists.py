"""The notices' lists: columns declared once for the page and the export."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.access.listspec import ListSpec, column, field
from dangjian.notices.models import Duty, Notice, Notification, Receipt
from dangjian.notices.queries import percent


def _rate(n: Any) -> str:
    rate = percent(n.signed, n.targets)
    return "" if rate is None else f"{rate}%"


def _rate_cell(n: Any) -> Any:
    rate = percent(n.signed, n.targets)
    if rate is None:
        return ""
    return format_html("{}/{}（{}%）", n.signed, n.targets, rate)


def _first_notice() -> list[Any]:
    first = Notice.objects.filter(receipts__isnull=False).order_by("pk").first()
    return [first.pk if first else 1]


NOTICES = ListSpec(
    "notices:notice_list",
    title=_("Notices sent"),
    table_id="notices",
    key=("created_at", "pk"),
    newest_first=True,
    columns=[
        field(
            Notice,
            "title",
            36,
            link=lambda n: reverse("notices:notice_detail", args=[n.pk]),
        ),
        field(Notice, "kind", 8),
        field(Notice, "status", 10),
        field(Notice, "sender_name", 12),
        field(Notice, "published_at", 16, css="text-nowrap", empty=""),
        field(Notice, "sign_deadline", 16, css="text-nowrap"),
        column(_("targets"), lambda n: n.targets, 8),
        column(_("signed"), lambda n: n.signed, 8, html=False),
        column(_("sign rate"), _rate, 10, cell=_rate_cell, css="text-nowrap"),
    ],
)


def _late(r: Receipt) -> bool:
    deadline = r.notice.sign_deadline
    return r.signed_at > deadline if r.signed_at else False


BADGES: dict[str, str] = {
    Receipt.Status.UNREAD: "text-bg-secondary",
    Receipt.Status.READ: "text-bg-info",
    Receipt.Status.SIGNED: "text-bg-success",
    Receipt.Status.SUBMITTED: "text-bg-primary",
    Receipt.Status.RETURNED: "text-bg-warning",
    Receipt.Status.DONE: "text-bg-success",
    Receipt.Status.LEAVE: "text-bg-warning",
}


def _status_badge(r: Receipt) -> Any:
    css = BADGES.get(r.status, "text-bg-secondary")
    return format_html('<span class="badge {}">{}</span>', css, r.get_status_display())


RECEIPTS = ListSpec(
    "notices:receipt_list",
    title=_("Receipts"),
    table_id="receipts",
    key=("target_name", "pk"),
    columns=[
        field(Receipt, "target_name", 30),
        field(Receipt, "status", 12, cell=_status_badge),
        field(Receipt, "read_at", 16, css="text-nowrap", empty=""),
        field(Receipt, "signed_at", 16, css="text-nowrap", empty=""),
        field(Receipt, "signed_by_name", 12, empty=""),
        column(_("signed late"), lambda r: _("yes") if _late(r) else "", 8, empty=""),
        # A member's leave from a meeting notice, and why (N-5): the sender reads it here.
        field(Receipt, "leave_reason", 24, empty=""),
        field(Receipt, "progress", 8, empty=""),
        field(Receipt, "feedback_at", 16, css="text-nowrap", empty=""),
        field(Receipt, "review_comment", 24, html=False),
    ],
    baseline_args=_first_notice,
)

INBOX = ListSpec(
    "notices:inbox",
    title=_("Notices to me"),
    table_id="inbox",
    key=("notice__sign_deadline", "pk"),
    newest_first=True,
    columns=[
        column(
            _("title"),
            lambda r: r.notice.title,
            36,
            link=lambda r: reverse("notices:notice_detail", args=[r.notice_id]),
        ),
        column(pgettext_lazy("notice", "from"), lambda r: r.notice.sender_name, 12),
        field(Receipt, "target_name", 20),
        column(_("sign by"), lambda r: r.notice.sign_deadline, 16, css="text-nowrap"),
        field(Receipt, "status", 12, cell=_status_badge),
        field(Receipt, "signed_at", 16, css="text-nowrap", empty=""),
    ],
    baseline_user="liaison",
)

NOTIFICATIONS = ListSpec(
    "notices:notifications",
    title=_("Notifications"),
    table_id="notifications",
    key=("created_at", "pk"),
    newest_first=True,
    columns=[
        field(Notification, "created_at", 16, css="text-nowrap"),
        field(Notification, "kind", 10),
        field(
            Notification,
            "title",
            50,
            link=lambda n: reverse("notices:notification_open", args=[n.pk]),
            css="fw-bold",
        ),
        column(
            _("seen"),
            lambda n: _("yes") if n.seen_at else _("no"),
            8,
        ),
    ],
    baseline_user="liaison",
)


def _last_task(d: Any) -> str:
    return d.last_task_period or ""


def _last_task_link(d: Any) -> str:
    return reverse("notices:notice_detail", args=[d.last_task_id]) if d.last_task_id else ""


def _duty_state_text(d: Duty) -> Any:
    return pgettext_lazy("duty", "active") if d.active else pgettext_lazy("duty", "ended")


def _duty_state(d: Duty) -> Any:
    css = "text-bg-success" if d.active else "text-bg-secondary"
    return format_html('<span class="badge {}">{}</span>', css, _duty_state_text(d))


DUTIES = ListSpec(
    "notices:duty_list",
    title=_("Recurring duties"),
    table_id="duties",
    key=("-year", "title"),
    columns=[
        field(Duty, "title", 30, link=lambda d: reverse("notices:duty_edit", args=[d.pk])),
        field(Duty, "year", 6),
        field(Duty, "cycle", 8),
        field(Duty, "audience", 24),
        field(Duty, "expected_count", 8),
        column(_("status"), _duty_state_text, 8, cell=_duty_state),
        column(_("last task generated"), _last_task, 12, link=_last_task_link, empty="—"),
    ],
)
