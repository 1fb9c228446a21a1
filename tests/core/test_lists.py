"""core.lists, core.filters and keyset pages: the one list pattern (issue 10, item 6)."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import QueryDict
from django.test import RequestFactory
from django.utils import translation

from dangjian.access.listspec import registry
from dangjian.core.pagination import keyset_page
from dangjian.party.filters import PartyOrganizationFilter
from dangjian.party.lists import PARTY_ORGANIZATIONS
from dangjian.party.models import Designation, PartyOrganization
from dangjian.registry.filters import OrganizationFilter
from dangjian.registry.models import Federation, Organization

pytestmark = pytest.mark.django_db


def test_a_nullable_keyset_key_is_refused():
    # NULLs sort first on SQLite and last on PostgreSQL, and `> value` never matches them.
    with pytest.raises(ImproperlyConfigured):
        keyset_page(Designation.objects.all(), None, key="revoked_on")
    with pytest.raises(ImproperlyConfigured):
        keyset_page(Designation.objects.all(), None, key="organization__name")


def test_a_keyset_over_several_keys_walks_every_row_once_in_order():
    qs = Organization.objects.all()
    expected = list(qs.order_by("category", "-name", "-pk").values_list("pk", flat=True))
    seen, cursor = [], None
    while True:
        page = keyset_page(qs, cursor, size=4, key=("category", "-name"))
        seen += [o.pk for o in page.rows]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == expected and len(expected) > 8


def test_a_tampered_cursor_restarts_at_the_first_page():
    page = keyset_page(Organization.objects.all(), "nonsense", size=3)
    assert page.is_first and len(page.rows) == 3


def test_filters_describe_themselves_in_labels_and_refuse_bad_values():
    qs = PartyOrganization.objects.all()
    with translation.override("zh-hans"):
        good = PartyOrganizationFilter(QueryDict("kind=joint_branch&q=联合"), qs)
        assert good.describe() == "搜索=联合，类型=联合党支部"
        assert set(good.qs.values_list("kind", flat=True)) == {"joint_branch"}
    bad = PartyOrganizationFilter(QueryDict("kind=nonsense"), qs)
    assert bad.errors and not bad.qs.exists() and bad.describe() == ""
    # Compact Bootstrap controls, as every filter row above a list.
    assert bad.form.fields["kind"].widget.attrs["class"] == "form-select form-select-sm"


def test_the_federation_choices_are_not_evaluated_to_build_the_filter(django_assert_num_queries):
    with django_assert_num_queries(0):
        filters = OrganizationFilter(
            QueryDict(), Organization.objects.all(), federations=Federation.objects.all()
        )
    assert filters.form.fields["federation"].queryset.model is Federation


def test_a_list_spec_renders_its_columns_links_and_empty_cells():
    request = RequestFactory().get("/", {"kind": "committee", "after": "x"})
    qs = PartyOrganization.objects.filter(kind="committee", parent=None)
    table = PARTY_ORGANIZATIONS.context(request, qs)["table"]
    assert len(table.headers) == 6  # the export-only columns stay off the page
    name, _kind, mode, parent, *_rest = table.rows[0]
    assert name.link == f"/party-organizations/{table.page.rows[0].pk}/"
    assert parent.text == "—"
    assert table.query == "kind=committee"  # the cursor is not part of the filter


def test_every_list_registers_itself():
    names = {key.split("?")[0] for key in registry()}
    assert {"party:party_organization_list", "rules:finding_list", "access:audit_list"} <= names
