"""The audit trail's page columns (core.lists), in words: the event's name, the record's kind,
and each change as field: before → after. Its export is the CSV of ``audit_views``."""

from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.access.audit_words import AUTOSAVE, MAX_LINES, Line, change_lines, object_words
from dangjian.access.listspec import ListSpec, column
from dangjian.core.audit import actor_words
from dangjian.core.models import AuditLog


def what(log: AuditLog) -> str:
    words = log.event_label or str(log.get_action_display())
    if log.note == AUTOSAVE:
        count = getattr(log, "session_count", 1)
        return gettext("%(what)s (autosaved %(count)s times in one editing session)") % {
            "what": words,
            "count": count,
        }
    return words


def changes_text(log: AuditLog) -> str:
    return "\n".join(f"{line.field}：{line.before} → {line.after}" for line in change_lines(log))


def _line_items(lines: list[Line]) -> object:
    return format_html_join(
        "",
        '<li><span class="text-muted">{}</span>：{}{}</li>',
        (
            (
                line.field,
                format_html('<del class="text-danger">{}</del> → ', line.before)
                if line.before
                else "",
                line.after,
            )
            for line in lines
        ),
    )


def changes_cell(log: AuditLog) -> object:
    """The first ``MAX_LINES`` changes, the others folded under "and N more" (a meeting's
    attendance lists every member: all of them are a click away, none left out)."""
    lines = change_lines(log)
    if not lines:
        return ""
    more = (
        format_html(
            '<li><details><summary class="text-muted">{}</summary>'
            '<ul class="list-unstyled mb-0">{}</ul></details></li>',
            gettext("and %(count)s more") % {"count": len(lines) - MAX_LINES},
            _line_items(lines[MAX_LINES:]),
        )
        if len(lines) > MAX_LINES
        else ""
    )
    return format_html(
        '<ul class="list-unstyled mb-0 audit-changes">{}{}</ul>',
        _line_items(lines[:MAX_LINES]),
        more,
    )


AUDIT = ListSpec(
    "access:audit_list",
    title=_("Audit trail"),
    key="at",
    newest_first=True,
    size=30,
    table_id="audit",
    baseline_user="auditor",
    table_css="table table-sm align-top audit-table",
    columns=[
        column(
            _("time"),
            lambda log: f"{timezone.localtime(log.at):%Y-%m-%d %H:%M:%S}",
            css="text-nowrap small",
            empty="",
        ),
        column(_("actor"), actor_words, css="text-nowrap", empty=""),
        column(_("what happened"), what, 24, empty=""),
        column(_("object"), object_words, 30, css="text-break", empty=""),
        column(_("changes"), changes_text, 60, cell=changes_cell, css="small", empty=""),
        column(
            _("request id"),
            lambda log: log.request_id,
            cell=lambda log: Truncator(log.request_id).chars(9),
            css="small text-muted text-nowrap",
            empty="",
        ),
    ],
)
