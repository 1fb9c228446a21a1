"""The member roster (党员名册): members in the viewer's scope only, searched by name and by the
masked ID number's last four characters, each filter, and the masked export."""

import datetime
import io
import random

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from stdnum.cn import ric

from dangjian.demo.identity import AREA_CODES, id_number
from dangjian.party import services
from dangjian.party.models import PartyMember, PartyOrganization
from dangjian.registry.models import Federation, Membership, Organization

pytestmark = pytest.mark.django_db

URL = reverse("party:member_list")
JOINED = datetime.date(2015, 7, 1)


def _number(seed: int, tail: str | None = None) -> str:
    """A valid ID number; with ``tail`` one that ends so. The check digit follows from the rest,
    so the area and (from 7 March of the seed's year) the birth day are searched for it: a
    random search for the tail could loop for ever when no area gives that check digit."""
    birth = datetime.date(1980 + seed, 3, 7)
    if tail is None:
        return id_number(random.Random(seed), birth, True)
    for offset in range(366):
        day = birth + datetime.timedelta(days=offset)
        for area in AREA_CODES:
            body = f"{area}{day:%Y%m%d}{tail[:3]}"
            if ric.calc_check_digit(body + "0") == tail[3]:
                return body + tail[3]
    raise AssertionError(f"no ID number ends in {tail}")


@pytest.fixture
def world(demo_federation):
    """Members of the demo federation (seen by its officer) and one of another federation
    (seen by nobody of the demo), all named 名册… so a search isolates them."""
    admin = get_user_model().objects.get(username="admin")
    branch = (
        PartyOrganization.objects.filter(federation=demo_federation, valid_to__isnull=True)
        .order_by("pk")
        .first()
    )
    unit = Organization.objects.get(name="天津市互联网协会")

    def member(name, seed, *, tail=None, employer=unit, **data):
        m = services.create_member(
            {
                "name": name,
                "gender": "male",
                "id_number": _number(seed, tail),
                "joined_party_on": JOINED,
                **data,
            },
            actor=admin,
        )
        services.start_employment(m, employer, on=datetime.date(2020, 1, 1), actor=admin)
        return m

    full = member(
        "名册全甲",
        1,
        tail="0013",
        full_member_on=datetime.date(2016, 7, 1),
        relation_party_organization=branch,
    )
    probationary = member("名册预乙", 2, relation_external="外省某党支部")
    flowing = member("名册流丙", 3, full_member_on=datetime.date(2016, 7, 1), is_flowing=True)
    lost = member("名册失丁", 4, full_member_on=datetime.date(2016, 7, 1), is_lost_contact=True)
    left = member("名册离戊", 5, full_member_on=datetime.date(2016, 7, 1))
    services.update_member(left, {"left_on": datetime.date(2024, 1, 1)}, actor=admin)

    federation = Federation.objects.create(
        name="外省互联网联合会", short_name="外省网联", level=Federation.Level.PROVINCIAL
    )
    outside_unit = Organization.objects.create(
        name="外省机密数据协会", legal_form="social_group", category="association"
    )
    Membership.objects.create(
        organization=outside_unit, federation=federation, valid_from=datetime.date(2020, 1, 1)
    )
    stranger = member("名册外己", 6, tail="0013", employer=outside_unit)
    return {
        "branch": branch,
        "unit": unit,
        "full": full,
        "probationary": probationary,
        "flowing": flowing,
        "lost": lost,
        "left": left,
        "stranger": stranger,
    }


def _names(client, **query) -> set[str]:
    response = client.get(URL, query)
    assert response.status_code == 200
    rows = response.context["page"].rows
    return {m.name for m in rows}


def test_the_officer_sees_the_federations_members_and_no_other(officer_client, world):
    assert _names(officer_client, q="名册") == {"名册全甲", "名册预乙", "名册流丙", "名册失丁"}
    # The other federation's member with the same tail is not found by it either.
    assert _names(officer_client, q="0013") & {"名册外己"} == set()
    admin = get_user_model().objects.get(username="admin")
    from django.test import Client

    client = Client()
    client.force_login(admin)
    assert "名册外己" in _names(client, q="名册")


def test_the_page_shows_masked_numbers_only(officer_client, world):
    number = world["full"].id_number
    page = officer_client.get(URL, {"q": "名册全甲"}).content.decode()
    assert f"{number[:6]}********0013" in page
    assert number not in page


def test_search_by_the_last_four_by_the_masked_form_and_by_the_whole_number(officer_client, world):
    found = _names(officer_client, q="0013")
    assert "名册全甲" in found
    assert all(m.id_number.endswith("0013") for m in PartyMember.objects.filter(name__in=found))
    # As copied from a masked number, lower case and full-width digits typed by hand.
    assert "名册全甲" in _names(officer_client, q="****0013")
    assert "名册全甲" in _names(officer_client, q="００１３")
    assert _names(officer_client, q=world["full"].id_number) == {"名册全甲"}
    assert _names(officer_client, q=world["stranger"].id_number) == set()
    # Three digits are part of a name, not a tail: nobody is called so.
    assert _names(officer_client, q="013") == set()


def test_a_name_is_searched_from_its_first_character(officer_client, world):
    """An officer looks a member up by surname or full name: the name is matched from its
    beginning (through the name index), never from its middle."""
    # The surname (the first character) finds every member of the scope so named.
    assert _names(officer_client, q="名") >= {"名册全甲", "名册预乙", "名册流丙", "名册失丁"}
    assert all(name.startswith("名") for name in _names(officer_client, q="名"))
    # A full name finds that member; its beginning finds it too, spaces around it ignored.
    assert _names(officer_client, q="名册全甲") == {"名册全甲"}
    assert _names(officer_client, q=" 名册全 ") == {"名册全甲"}
    # A longer name than any member's finds nobody.
    assert _names(officer_client, q="名册全甲乙") == set()


def test_a_name_from_its_middle_finds_nobody_and_says_why(officer_client, world):
    response = officer_client.get(URL, {"q": "全甲"})
    assert response.context["page"].rows == []
    page = response.content.decode()
    assert "没有姓名以“全甲”开头的党员。" in page
    # The page says how a name is searched.
    assert "按姓名（从第一个字起匹配，即姓氏或全名）" in page
    # An ID number's tail that matches nobody keeps the list's own empty line.
    other = officer_client.get(URL, {"q": "9999"}).content.decode()
    assert "开头的党员" not in other


def test_membership_filter(officer_client, world):
    assert _names(officer_client, q="名册", status="full") == {"名册全甲", "名册流丙", "名册失丁"}
    assert _names(officer_client, q="名册", status="probationary") == {"名册预乙"}
    assert _names(officer_client, q="名册", status="left") == {"名册离戊"}


def test_situation_filter(officer_client, world):
    assert _names(officer_client, q="名册", situation="flowing") == {"名册流丙"}
    assert _names(officer_client, q="名册", situation="lost") == {"名册失丁"}


def test_relation_filter(officer_client, world):
    assert _names(officer_client, q="名册", relation="in") == {"名册全甲"}
    assert _names(officer_client, q="名册", relation="out") == {"名册预乙", "名册流丙", "名册失丁"}


def test_branch_and_unit_filters(officer_client, world):
    assert _names(officer_client, q="名册", branch=world["branch"].name) == {"名册全甲"}
    assert _names(officer_client, q="名册", unit="互联网协会") == {
        "名册全甲",
        "名册预乙",
        "名册流丙",
        "名册失丁",
    }
    # Another federation's unit is not searched: its name finds nobody.
    assert _names(officer_client, q="名册", unit="外省机密数据协会") == set()


def test_an_invalid_filter_says_so_and_lists_nobody(officer_client, world):
    response = officer_client.get(URL, {"q": "名册", "status": "emeritus"})
    assert response.status_code == 200
    assert response.context["page"].rows == []
    assert "选择一个有效的选项" in response.content.decode()


def test_the_export_holds_the_filtered_members_masked(officer_client, world):
    response = officer_client.get(URL, {"q": "名册", "status": "full", "export": "xlsx"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    header = next(r for r in rows if r and "身份证号码" in r)
    body = [dict(zip(header, r, strict=False)) for r in rows[rows.index(header) + 1 :] if r[0]]
    assert {r["姓名"] for r in body} == {"名册全甲", "名册流丙", "名册失丁"}
    full = next(r for r in body if r["姓名"] == "名册全甲")
    assert full["身份证号码"] == world["full"].id_number_masked
    assert full["身份证号码"].endswith("0013") and "*" in full["身份证号码"]
    assert full["单位"] == "天津市互联网协会"
    assert full["组织关系所在党组织"] == world["branch"].name
    assert world["full"].id_number not in str(rows)


def test_duplicates_come_a_page_of_groups_at_a_time(officer_client, demo_federation):
    """More duplicated people than a page holds: each page shows whole groups (both entries of
    a person together), the next page the rest, and no group twice."""
    from dangjian.party.member_views import DUPLICATE_GROUPS_PER_PAGE
    from dangjian.party.models import Employment

    unit = Organization.objects.get(name="天津市大数据协会")
    from dangjian.access import scope

    officer = get_user_model().objects.get(username="officer")
    originals = list(
        scope.members(officer)
        .exclude(id_number_hash="")
        .order_by("pk")[: DUPLICATE_GROUPS_PER_PAGE + 3]
    )
    assert len(originals) == DUPLICATE_GROUPS_PER_PAGE + 3
    for original in originals:
        twin = PartyMember.objects.create(
            name=original.name,
            gender=original.gender,
            id_number=original.id_number,
            joined_party_on=original.joined_party_on,
        )
        Employment.objects.create(member=twin, organization=unit, valid_from=JOINED)
    url = reverse("party:duplicate_members")
    first = officer_client.get(url)
    rows = first.context["rows"]
    hashes = [m.id_number_hash for m in rows]
    assert len(set(hashes)) == DUPLICATE_GROUPS_PER_PAGE
    assert all(hashes.count(h) >= 2 for h in hashes)
    cursor = first.context["page"].next_cursor
    assert cursor and f"after={cursor}" in first.content.decode()
    second = officer_client.get(url, {"after": cursor})
    rest = [m.id_number_hash for m in second.context["rows"]]
    assert not set(rest) & set(hashes)
    mine = {o.id_number_hash for o in originals}
    assert mine <= set(hashes) | set(rest)
    assert second.context["page"].next_cursor is None
    # A cursor typed by hand that is not a number starts again at the first page.
    assert officer_client.get(url, {"after": "x"}).context["rows"] == rows


def test_the_suffix_index_follows_the_number(demo_federation, settings, tmp_path):
    """Kept by the member services (create, change of number, erasure) and rebuilt with the
    blind indexes after a key change."""
    from django.core.management import call_command

    from dangjian.core import crypto

    admin = get_user_model().objects.get(username="admin")
    member = services.create_member(
        {"name": "名册索引", "gender": "male", "id_number": _number(7), "joined_party_on": JOINED},
        actor=admin,
    )
    assert member.id_suffix_hash == crypto.suffix_index(member.id_number[-4:])
    services.update_member(member, {"id_number": _number(8)}, actor=admin)
    member.refresh_from_db()
    assert member.id_suffix_hash == crypto.suffix_index(member.id_number[-4:])
    settings.BLIND_INDEX_KEY = "another-blind-index-key"
    settings.MEDIA_ROOT = tmp_path  # rotate_keys re-seals the uploads: not the shared demo's
    call_command("rotate_keys", "--blind-index")
    member.refresh_from_db()
    assert member.id_suffix_hash == crypto.suffix_index(member.id_number[-4:])
    services.anonymise_member(member, actor=admin, left_on=datetime.date(2025, 1, 1))
    member.refresh_from_db()
    assert member.id_suffix_hash == "" and member.id_number_hash == ""


def test_the_bulk_path_fills_the_suffix_index(demo_federation):
    from dangjian.core import crypto
    from dangjian.party import bulk

    admin = get_user_model().objects.get(username="admin")
    number = _number(9)
    bulk.create_members_bulk(
        [{"name": "名册批量", "gender": "male", "id_number": number, "joined_party_on": JOINED}],
        actor=admin,
    )
    stored = PartyMember.objects.get(name="名册批量")
    assert stored.id_suffix_hash == crypto.suffix_index(number[-4:]) != ""


def _groups_by_grouping_every_number(user) -> list[str]:
    """The duplicates as the page found them before the flag: every number held twice in the
    whole ledger, then those the user sees twice, in the order of each group's first entry."""
    from django.db.models import Count, Min

    from dangjian.access import scope
    from dangjian.access.models import Action

    twice = (
        PartyMember.objects.exclude(id_number_hash="")
        .values("id_number_hash")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values("id_number_hash")
    )
    return [
        g["id_number_hash"]
        for g in scope.members(user, Action.VIEW_PERSONAL)
        .filter(id_number_hash__in=twice)
        .values("id_number_hash")
        .annotate(n=Count("id"), first=Min("id"))
        .filter(n__gt=1)
        .order_by("first")
    ]


def _page_groups(client) -> list[str]:
    url, groups, query = reverse("party:duplicate_members"), [], {}
    while True:
        response = client.get(url, query)
        for m in response.context["rows"]:
            if m.id_number_hash not in groups:
                groups.append(m.id_number_hash)
        cursor = response.context["page"].next_cursor
        if not cursor:
            return groups
        query = {"after": cursor}


def test_the_shared_number_flag_follows_every_writer(officer_client, world):
    """Entered twice by a service, by the bulk path and by a renumbering: both entries flagged
    and listed; erased: the flag goes with the number; the rebuild finds nothing to repair,
    and the page lists exactly the groups a grouping of every number gives."""
    from django.core.management import call_command

    from dangjian.party import bulk

    admin = get_user_model().objects.get(username="admin")
    officer = get_user_model().objects.get(username="officer")
    full, probationary = world["full"], world["probationary"]
    unit = world["unit"]
    assert not PartyMember.objects.filter(pk=full.pk, id_number_shared=True).exists()

    # A second entry of the same person through the single service.
    twin = services.create_member(
        {
            "name": "名册全甲",
            "gender": "male",
            "id_number": full.id_number,
            "joined_party_on": JOINED,
        },
        actor=admin,
    )
    services.start_employment(twin, unit, on=datetime.date(2020, 1, 1), actor=admin)
    # Through the bulk path, a second entry of the probationary member.
    (bulk_twin,) = bulk.create_members_bulk(
        [
            {
                "name": "名册预乙",
                "gender": "male",
                "id_number": probationary.id_number,
                "joined_party_on": JOINED,
            }
        ],
        actor=admin,
    )
    services.start_employment(bulk_twin, unit, on=datetime.date(2020, 1, 1), actor=admin)
    # A renumbering (bulk update) onto the flowing member's number.
    bulk.update_members_bulk(
        [(world["lost"], {"id_number": world["flowing"].id_number})], actor=admin
    )
    flagged = set(
        PartyMember.objects.filter(name__startswith="名册", id_number_shared=True).values_list(
            "pk", flat=True
        )
    )
    pairs = {
        full.pk,
        twin.pk,
        probationary.pk,
        bulk_twin.pk,
        world["lost"].pk,
        world["flowing"].pk,
    }
    assert flagged == pairs
    groups = _page_groups(officer_client)
    assert {
        full.id_number_hash,
        probationary.id_number_hash,
        world["flowing"].id_number_hash,
    } <= set(groups)
    assert groups == _groups_by_grouping_every_number(officer)

    # Erasure takes the number, and its flag, away; the other entry's flag outlives it until
    # the rebuild, and the page does not list a group of one.
    services.anonymise_member(twin, actor=admin, left_on=datetime.date(2025, 1, 1))
    assert not PartyMember.objects.get(pk=twin.pk).id_number_shared
    assert full.id_number_hash not in _page_groups(officer_client)
    assert _page_groups(officer_client) == _groups_by_grouping_every_number(officer)
    out = io.StringIO()
    call_command("shared_id_numbers", stdout=out)
    assert not PartyMember.objects.get(pk=full.pk).id_number_shared
    assert PartyMember.objects.get(pk=probationary.pk).id_number_shared
    # Kept by every writer: a second rebuild has nothing to change.
    out = io.StringIO()
    call_command("shared_id_numbers", stdout=out)
    assert out.getvalue().startswith("0 ")


def test_the_name_range_alone_is_exact_where_text_sorts_by_code_point(world):
    """The test databases (SQLite; PostgreSQL created with C.UTF-8) sort text by code point, so
    the roster's name search is the bare index range; it finds exactly the names a ``LIKE``
    would, also the term itself and the characters just beside it."""
    from dangjian.core.collation import orders_by_code_point
    from dangjian.party.filters import name_begins_with

    assert orders_by_code_point()
    PartyMember.objects.filter(name__startswith="名册").update(name="名册")  # the term itself
    for i, name in enumerate(["吏", "吒", "名", "名册的", "名册\U0010fffd", "名再", "名册乙"]):
        PartyMember.objects.filter(pk=PartyMember.objects.order_by("pk")[i].pk).update(name=name)
    for term in ("名", "名册", "名册乙", "吏"):
        ranged = set(
            PartyMember.objects.filter(name_begins_with(term)).values_list("pk", flat=True)
        )
        liked = set(PartyMember.objects.filter(name__startswith=term).values_list("pk", flat=True))
        assert ranged == liked and ranged, term
