"""The audit trail's page columns (core.lists); its export is the CSV of ``audit_views``."""

from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from dangjian.access.listspec import ListSpec, column

AUDIT = ListSpec(
    "access:audit_list",
    title=_("Audit trail"),
    key="at",
    newest_first=True,
    table_id="audit",
    baseline_user="auditor",
    table_css="table table-sm",
    columns=[
        column(_("time"), lambda log: f"{timezone.localtime(log.at):%Y-%m-%d %H:%M:%S}", empty=""),
        column(_("actor"), lambda log: log.actor_name, empty=""),
        column(_("action"), lambda log: log.get_action_display(), empty=""),
        column(_("event type"), lambda log: log.event_type, empty=""),
        column(
            _("object"),
            lambda log: f"{log.object_type} #{log.object_id} {log.object_repr}",
            empty="",
        ),
        column(_("changes"), lambda log: log.changes, css="small text-break", empty=""),
        column(
            _("request id"),
            lambda log: log.request_id,
            cell=lambda log: Truncator(log.request_id).chars(9),
            css="small",
            empty="",
        ),
    ],
)
