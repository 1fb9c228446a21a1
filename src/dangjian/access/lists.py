"""Any list page as a styled .xlsx — "exports of every list the user can see" (issue 5).

It lives in ``access`` because what a list holds is an access question: the rows are scoped by
the action (view or export) and the export needs the export right. The workbook itself is
``core.exports``'s, like every other export.

A list view builds its scoped, filtered queryset as it does for the page and, when the request
asks ``?export=xlsx``, hands it here with its columns: the export holds the same rows the user
sees — inside their scope, under the current filter — only not cut into pages. Lists with
personal data (ID numbers, phones) are not exported this way: the member ledger has its own
export, masked unless asked and logged.
"""

from __future__ import annotations

import datetime
import decimal
import io
from collections.abc import Callable, Iterable, Iterator
from typing import Any, cast

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Field, Model
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from dangjian.access import scope
from dangjian.access.models import Action
from dangjian.core import exports
from dangjian.core.audit import record_read
from dangjian.core.events import AuditEvent
from dangjian.core.http import attach

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Column = tuple[str | Promise, Callable[[Any], object], int]  # header, value of a row, width


def field(
    model: type[Model],
    name: str,
    width: int = 14,
    value: Callable[[Any], object] | None = None,
) -> Column:
    """A column of a model field, headed by its verbose name (already in the catalogues)."""
    f = cast(
        Field[Any, Any], model._meta.get_field(name)
    )  # a column is a field, not a reverse relation
    if value is None:
        if f.choices:

            def value(obj: Any) -> object:
                return getattr(obj, f"get_{name}_display")()

        elif f.is_relation:

            def value(obj: Any) -> object:
                related = getattr(obj, name)
                return str(related) if related is not None else ""

        else:

            def value(obj: Any) -> object:
                return getattr(obj, name)

    return (f.verbose_name, value, width)


def wants_xlsx(request: HttpRequest) -> bool:
    return request.GET.get("export") == "xlsx"


def scope_action(request: HttpRequest) -> str:
    """The action a list's rows are scoped by: exporting needs the export right on each row."""
    return Action.EXPORT if wants_xlsx(request) else Action.VIEW


def filter_params(request: HttpRequest) -> QueryDict:
    """The page's filter: its query without the page cursor and the export switch."""
    params = request.GET.copy()
    for key in ("after", "export"):
        params.pop(key, None)
    return params


def export_query(request: HttpRequest) -> str:
    """The page's own query string with ``export=xlsx`` (for the button): the whole list, not
    the page the user is on."""
    params = filter_params(request)
    params["export"] = "xlsx"
    return params.urlencode()


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, datetime.datetime):
        # openpyxl refuses aware datetimes; a reader expects the local (Beijing) time.
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, str | int | float | decimal.Decimal | datetime.date):
        return value
    return str(value)  # a model instance or anything else: as the page shows it


def xlsx_response(
    request: HttpRequest,
    *,
    title: str,
    columns: list[Column],
    rows: Iterable[Any],
    filters: str = "",
) -> HttpResponse:
    """The rows as a styled workbook named after the list and the day; the export is audited."""
    if not scope.can(request.user, Action.EXPORT):
        raise PermissionDenied
    user = cast(User, request.user)  # allowed to export: a signed-in account
    count = 0

    def values() -> Iterator[list[object]]:
        nonlocal count
        for row in rows:
            count += 1
            yield [_cell(value(row)) for _, value, _ in columns]

    now = timezone.localtime()
    workbook = exports.workbook(
        str(title),
        [str(header) for header, _, _ in columns],
        values(),
        widths=[width for _, _, width in columns],
        notes=[
            _("Exported at: %(time)s") % {"time": f"{now:%Y-%m-%d %H:%M}"},
            _("Exported by: %(user)s") % {"user": user.get_full_name() or user.get_username()},
            _("Filter: %(filter)s") % {"filter": filters or _("no filter")},
            _("Scope: only the rows the exporting user may see."),
        ],
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    # A read, like every export: who took which rows out of the system, under which filter.
    record_read(
        request.user,
        AuditEvent.LEDGERS_LIST_EXPORTED,
        None,
        list=str(title),
        rows=count,
        filters=filters,
    )
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    return attach(response, f"{title}-{now:%Y%m%d}.xlsx", "list.xlsx")
