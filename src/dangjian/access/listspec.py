"""One list pattern: a list's columns declared once, for the HTML table and the .xlsx export.

A list view builds its scoped base queryset and its filter (``core.filters.FilterSet``), then
hands both to its ``ListSpec``::

    ORGS = ListSpec(
        "party:party_organization_list",
        title=PartyOrganization._meta.verbose_name_plural,
        columns=[
            field(PartyOrganization, "name", 36, link=lambda p: p.get_absolute_url()),
            field(PartyOrganization, "approval_doc_no", 22, html=False),  # export only
            ...
        ],
        table_id="party-organizations",
    )

    if wants_xlsx(request) and not filters.errors:
        return ORGS.export(request, filters.qs, filters=filters.describe())
    return render(request, "...", {**ORGS.context(request, filters.qs), "filters": filters})

and the template includes ``includes/list_table.html`` (``{% include ... with table=table %}``),
which renders the header, the rows, an empty-list line and the "next page" link. Pages are
keyset pages (``core.pagination``): there is no silent ``[:300]``; a long list always offers its
next rows.

Every ``ListSpec`` registers itself under its URL name, so the query-count baseline
(``tests/test_query_counts.py``) walks every list without anyone adding it there.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import get_resolver
from django.utils.translation import gettext_lazy as _

from dangjian.core.pagination import KeysetPage, keyset_page
from dangjian.core.pagination import order as keyset_order

DASH = "—"

_REGISTRY: dict[str, ListSpec] = {}


@dataclass(frozen=True)
class Column:
    """A column of a list: its header, the value of a row (the export cell and, by default,
    the page cell), the export width, and how the page shows it.

    ``cell`` gives the page's text when it differs from the export value (it may return
    ``format_html`` markup, e.g. a badge); ``empty`` is shown for an empty cell; ``link`` gives
    the cell's link; ``css`` the ``<td>`` classes. ``html`` / ``export`` say where the column
    appears (some export columns are too wide for the page)."""

    header: Any
    value: Callable[[Any], Any]
    width: int = 14
    cell: Callable[[Any], Any] | None = None
    link: Callable[[Any], str] | None = None
    css: str = ""
    empty: str = DASH
    html: bool = True
    export: bool = True
    # Shown on the page only when this holds for the request (e.g. a selection checkbox for
    # those who may act on the rows).
    when: Callable[[HttpRequest], bool] | None = None

    def text(self, obj: Any) -> Any:
        value = self.cell(obj) if self.cell is not None else _page_text(self.value(obj))
        return self.empty if value is None or value == "" else value


@dataclass(frozen=True)
class Cell:
    text: Any
    link: str = ""
    css: str = ""


class Row(list[Cell]):
    """A row's cells, with the ``<tr>`` attributes (``ListSpec.row_attrs``)."""

    attrs: Any = ""


def _page_text(value: Any) -> Any:
    # As the templates wrote it: dates as Y-m-d, the local day of a timestamp with its time.
    if isinstance(value, datetime.datetime):
        from django.utils import timezone

        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def field(model: type[models.Model], name: str, width: int = 14, **options: Any) -> Column:
    """A column of a model field headed by its verbose name (already in the catalogues);
    choices show their labels, relations the related object's text. ``options`` are
    ``Column``'s (``value`` replaces the field's value)."""
    f = model._meta.get_field(name)
    value: Callable[[Any], Any] | None = options.pop("value", None)
    if value is None:
        if getattr(f, "choices", None):

            def value(obj: Any) -> Any:
                return getattr(obj, f"get_{name}_display")()

        elif f.is_relation:

            def value(obj: Any) -> Any:
                related = getattr(obj, name)
                return str(related) if related is not None else ""

        else:

            def value(obj: Any) -> Any:
                return getattr(obj, name)

    return Column(getattr(f, "verbose_name", name), value, width, **options)


def column(header: Any, value: Callable[[Any], Any], width: int = 14, **options: Any) -> Column:
    """A column of anything else: an explicit English msgid header and a value."""
    return Column(header, value, width, **options)


@dataclass
class Table:
    """What ``includes/list_table.html`` renders."""

    headers: list[Any]
    width: int
    rows: list[Row]
    page: KeysetPage
    query: str
    id: str
    css: str
    empty: Any
    cursor_param: str = "after"


@dataclass
class ListSpec:
    """A list page: where it lives (URL name, for the query-count baseline), its columns, its
    keyset order (``key`` must be a non-null field) and its export title."""

    url_name: str
    columns: list[Column]
    title: Any = ""
    key: str | tuple[str, ...] = "name"
    newest_first: bool = False
    size: int = 50
    table_id: str = ""
    table_css: str = "table table-sm table-hover"
    headers: bool = True  # False: a table of rows without a header line (as on detail pages)
    empty: Any = _("None recorded.")
    # The query parameter that carries the cursor: a page with two lists gives each its own.
    cursor_param: str = "after"
    # The export's order when it differs from the page's keyset order (a register read by year).
    export_order: tuple[str, ...] | None = None
    # Extra <tr> attributes of a row, as format_html markup (e.g. data-* for scripts).
    row_attrs: Callable[[Any], Any] | None = None
    # Query parameters a baseline request needs (e.g. a tab), for the query-count test.
    baseline_query: dict[str, str] = dc_field(default_factory=dict)
    # The demo persona whose first page is the baseline (the audit trail is the auditor's).
    baseline_user: str = "officer"
    # Path arguments of the URL, for lists that live on an object's page (the baseline picks
    # the first object from this callable).
    baseline_args: Callable[[], list[Any]] | None = None

    def __post_init__(self) -> None:
        _REGISTRY[self.registry_key] = self

    @property
    def registry_key(self) -> str:
        if not self.baseline_query:
            return self.url_name
        query = QueryDict(mutable=True)
        query.update(self.baseline_query)
        return f"{self.url_name}?{query.urlencode()}"

    def page(self, request: HttpRequest, qs: models.QuerySet[Any]) -> KeysetPage:
        return keyset_page(
            qs,
            request.GET.get(self.cursor_param),
            size=self.size,
            key=self.key,
            newest_first=self.newest_first,
        )

    def table(self, request: HttpRequest, page: KeysetPage) -> Table:
        columns = [c for c in self.columns if c.html and (c.when is None or c.when(request))]
        rows = []
        for obj in page.rows:
            row = Row(Cell(c.text(obj), c.link(obj) if c.link else "", c.css) for c in columns)
            row.attrs = self.row_attrs(obj) if self.row_attrs else ""
            rows.append(row)
        params = request.GET.copy()
        for name in (self.cursor_param, "export"):
            params.pop(name, None)
        return Table(
            headers=[c.header for c in columns] if self.headers else [],
            width=len(columns),
            rows=rows,
            page=page,
            query=params.urlencode(),
            id=self.table_id,
            css=self.table_css,
            empty=self.empty,
            cursor_param=self.cursor_param,
        )

    def context(self, request: HttpRequest, qs: models.QuerySet[Any]) -> dict[str, Any]:
        """The page's context: ``page`` (its rows), ``table`` for the include, ``query`` (the
        filter without the cursor) and ``export_query`` for the export button."""
        from dangjian.access import lists as exports

        page = self.page(request, qs)
        table = self.table(request, page)
        return {
            "page": page,
            "table": table,
            "query": table.query,
            "export_query": exports.export_query(request),
        }

    def export(
        self, request: HttpRequest, qs: models.QuerySet[Any], *, filters: str = ""
    ) -> HttpResponse:
        """The whole filtered list (not the page) as .xlsx, in the page's order; a list of
        more rows than a request should hold is made in the background (``background_exports``)."""
        from dangjian.access import background_exports
        from dangjian.access import lists as exports

        if (queued := background_exports.later(request, qs, title=self.title)) is not None:
            return queued

        order = self.export_order or keyset_order(self.key, self.newest_first)
        return exports.xlsx_response(
            request,
            title=self.title,
            columns=[(c.header, c.value, c.width) for c in self.columns if c.export],
            rows=qs.order_by(*order).iterator(chunk_size=2000),
            filters=filters,
        )


def registry() -> dict[str, ListSpec]:
    """Every declared list, by URL name (plus its baseline query, if any). Loading the URLconf
    imports every app's views, hence every ListSpec."""
    get_resolver().url_patterns  # noqa: B018 (imported for its side effect)
    return dict(_REGISTRY)
