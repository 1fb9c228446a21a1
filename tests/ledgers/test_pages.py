"""The pages, through the Django test client: the newcomer scenario of issue 5, scoping,
exports (masked unless asked, with the right, and logged), concurrency, background imports."""

import datetime
import io

import openpyxl
import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from dangjian.core.models import AuditLog
from dangjian.ledgers import services, specs
from dangjian.ledgers.models import LedgerUpload
from dangjian.party.models import PartyMember
from dangjian.registry.models import Federation, Organization
from dangjian.rules.coverage import Scope, breakdown, compute
from dangjian.rules.exports import DIMENSION_TITLES, _dimension_label, _rate_cells

from .conftest import IMMEDIATE_TASKS, make_id
from .helpers import MEMBER_HEADERS, upload, write_xlsx

pytestmark = pytest.mark.django_db


def _post_file(client, data: bytes, name: str, federation, ledger="members"):
    file = io.BytesIO(data)
    file.name = name
    return client.post(
        reverse("ledgers:upload"), {"ledger": ledger, "federation": federation.pk, "file": file}
    )


def test_newcomer_scenario(officer_client, demo_federation, tmp_path, settings):
    """Download the member template, fill 3 rows with one bad ID number, upload, get the
    workbook back with that cell marked, fix it, re-upload, see the members on the unit's
    profile; a second upload of the same file reports "no changes"."""
    settings.MEDIA_ROOT = tmp_path
    client = officer_client
    unit = Organization.objects.get(name="天津市大数据协会")
    response = client.get(reverse("ledgers:template", args=["members"]))
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    ws = wb.worksheets[0]
    headers = [c.value.rstrip("*") for c in ws[1] if c.value]
    assert headers == [c.header for c in specs.LEDGERS["members"].columns]
    col = {h: i + 1 for i, h in enumerate(headers)}
    people = [
        ("新同志甲", make_id(101, datetime.date(1991, 1, 2)), "2016-07-01"),
        ("新同志乙", make_id(202, datetime.date(1992, 3, 4)), "2017-07-01"),
        ("新同志丙", make_id(303, datetime.date(1993, 5, 6)), "2018-07-01"),
    ]
    bad_id = people[1][1][:-1] + ("1" if people[1][1][-1] != "1" else "2")
    for r, (name, number, joined) in enumerate(people, start=2):  # row 2 held the example
        for c in range(1, len(headers) + 2):
            ws.cell(r, c).value = None
        ws.cell(r, col["姓名"], name)
        ws.cell(r, col["公民身份号码"], bad_id if r == 3 else number)
        ws.cell(r, col["入党日期"], joined)
        ws.cell(r, col["工作单位统一社会信用代码"], unit.uscc)
    filled = io.BytesIO()
    wb.save(filled)

    response = _post_file(client, filled.getvalue(), "党员台账.xlsx", demo_federation)
    assert response.status_code == 302
    detail = response["Location"]
    page = client.get(detail).content.decode()
    assert 'id="count-invalid">1<' in page and 'id="count-new">2<' in page
    assert "校验码" in page
    assert "仅导入无误的行" in page
    marked = client.get(reverse("ledgers:error_workbook", args=[_pk(detail)]))
    assert marked.status_code == 200
    assert AuditLog.objects.filter(event_type="ledgers.error_workbook").exists()
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(marked.streaming_content)))
    ws = wb.worksheets[0]
    cell = ws.cell(3, col["公民身份号码"])
    assert cell.fill.fgColor.rgb.endswith("FFC7CE") and "校验码" in cell.comment.text
    assert ws.cell(2, col["公民身份号码"]).comment is None

    cell.value = people[1][1]  # the newcomer fixes the marked cell and re-uploads the same file
    fixed = io.BytesIO()
    wb.save(fixed)
    response = _post_file(client, fixed.getvalue(), "党员台账-错误标注.xlsx", demo_federation)
    detail = response["Location"]
    page = client.get(detail).content.decode()
    assert 'id="count-invalid">0<' in page and 'id="count-new">3<' in page
    response = client.post(reverse("ledgers:commit", args=[_pk(detail)]))
    page = client.get(response["Location"]).content.decode()
    assert "导入完成：新增 3 条" in page

    profile = client.get(reverse("registry:organization_detail", args=[unit.pk])).content.decode()
    for name, _n, _j in people:
        assert name in profile

    response = _post_file(client, fixed.getvalue(), "党员台账-错误标注.xlsx", demo_federation)
    page = client.get(response["Location"]).content.decode()
    assert 'id="no-changes"' in page and "没有变化" in page
    assert 'id="count-unchanged">3<' in page


def _pk(url: str) -> int:
    return int(url.rstrip("/").split("/")[-1])


@pytest.mark.parametrize(
    "persona", ["liaison", "secretary", "instructor", "authority", "expert", "outsider"]
)
def test_only_federation_officers_upload_and_see_uploads(persona_client, persona, world, tmp_path):
    path = write_xlsx(tmp_path / "m.xlsx", [MEMBER_HEADERS])
    item = upload(world, path)
    client = persona_client(persona)
    assert client.get(reverse("ledgers:index")).status_code == 200
    assert client.get(reverse("ledgers:detail", args=[item.pk])).status_code == 404
    assert client.get(reverse("ledgers:error_workbook", args=[item.pk])).status_code == 404
    assert client.post(reverse("ledgers:commit", args=[item.pk])).status_code == 404
    response = _post_file(client, path.read_bytes(), "m.xlsx", world.federation)
    assert response.status_code == 403


def test_officer_of_another_federation_sees_nothing(officer_client, world, tmp_path):
    item = upload(world, write_xlsx(tmp_path / "m.xlsx", [MEMBER_HEADERS]))
    assert officer_client.get(reverse("ledgers:detail", args=[item.pk])).status_code == 404
    response = _post_file(officer_client, b"x", "m.xlsx", world.federation)
    assert response.status_code == 302  # the form refuses a federation outside the scope
    assert LedgerUpload.objects.filter(federation=world.federation).count() == 1


def test_every_template_has_dropdowns_notes_and_a_version_mark(officer_client):
    for key, ledger in specs.LEDGERS.items():
        response = officer_client.get(reverse("ledgers:template", args=[key]))
        wb = openpyxl.load_workbook(io.BytesIO(response.content))
        assert wb.sheetnames == [ledger.title, "填写说明", "_dangjian"]
        assert wb["_dangjian"].sheet_state == "hidden"
        assert wb["_dangjian"]["B1"].value == key
        assert wb["_dangjian"]["B2"].value == specs.TEMPLATE_VERSION
        assert specs.DEFINED_NAME in wb.defined_names
        ws = wb[ledger.title]
        validated = set()
        for dv in ws.data_validations.dataValidation:
            if dv.type == "list":
                validated.update(str(r).split(":")[0].rstrip("0123456789") for r in dv.sqref.ranges)
        coded = {
            openpyxl.utils.get_column_letter(i + 1)
            for i, c in enumerate(ledger.columns)
            if c.kind in ("choice", "bool")
        }
        assert coded <= validated, key
        for i, c in enumerate(ledger.columns, start=1):
            if c.kind == "date":
                assert (
                    ws.column_dimensions[openpyxl.utils.get_column_letter(i)].number_format
                    == "yyyy-mm-dd"
                )
        notes = [row[0].value for row in wb["填写说明"].iter_rows(min_row=5)]
        assert notes == [c.header for c in ledger.columns]


def test_old_template_is_recognised(world, tmp_path):
    from dangjian.ledgers import workbooks

    wb = workbooks.template("members", version=1)
    ws = wb.worksheets[0]
    ws.delete_rows(2)
    path = tmp_path / "old.xlsx"
    wb.save(path)
    item = upload(world, path)
    assert item.mapping["template_version"] == 1
    assert "旧版模板" in item.preview["notices"][0]


def test_member_export_masks_unless_asked_and_logs(officer_client, persona_client):
    masked = officer_client.get(reverse("ledgers:export_members"))
    wb = openpyxl.load_workbook(io.BytesIO(masked.content))
    ws = wb.worksheets[0]
    id_col = [c.value for c in ws[1]].index("公民身份号码")
    ids = [row[id_col].value for row in ws.iter_rows(min_row=2)]
    assert ids and all("*" in v for v in ids)
    assert not AuditLog.objects.filter(event_type="ledgers.export_members").exists()
    full = officer_client.get(reverse("ledgers:export_members") + "?personal=1")
    ws = openpyxl.load_workbook(io.BytesIO(full.content)).worksheets[0]
    ids = [row[id_col].value for row in ws.iter_rows(min_row=2)]
    assert ids and not any("*" in v for v in ids)
    log = AuditLog.objects.get(event_type="ledgers.export_members")
    assert log.action == "read" and log.changes["rows"] == len(ids)
    # a liaison sees only their unit's members; the authority viewer may not export members
    liaison = persona_client("liaison").get(reverse("ledgers:export_members"))
    rows = list(
        openpyxl.load_workbook(io.BytesIO(liaison.content)).worksheets[0].iter_rows(min_row=2)
    )
    assert 0 < len(rows) < len(ids)
    assert persona_client("authority").get(reverse("ledgers:export_members")).status_code == 200
    authority = openpyxl.load_workbook(
        io.BytesIO(persona_client("authority").get(reverse("ledgers:export_members")).content)
    )
    assert authority.worksheets[0].max_row == 1  # headers only: no personal data at all
    assert persona_client("outsider").get(reverse("ledgers:export_members")).status_code == 403


def test_organization_export_respects_the_filter(officer_client):
    response = officer_client.get(reverse("ledgers:export_organizations"), {"has_party_org": "no"})
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    names = [row[0].value for row in ws.iter_rows(min_row=2)]
    assert "天津市网络直播行业协会" in names and "天津市互联网协会" not in names
    assert set(row[-1].value for row in ws.iter_rows(min_row=2)) == {"否"}


def test_organization_export_notes_say_the_filter_in_labels(officer_client):
    # The notes said the raw codes ("category=association, has a party organization=no").
    response = officer_client.get(
        reverse("ledgers:export_organizations"),
        {"category": "association", "has_party_org": "no"},
    )
    notes = openpyxl.load_workbook(io.BytesIO(response.content))["说明"]
    lines = [row[0] for row in notes.iter_rows(values_only=True)]
    assert "筛选条件：类别=协会，已建党组织=否" in lines, lines


def test_coverage_statistics_workbook(officer_client, persona_client):
    response = officer_client.get(reverse("ledgers:export_coverage"))
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames[:2] == ["总体", "按单位类别"]
    total = [c.value for c in wb["总体"][2]]
    assert total[0] == "天津市网络社会组织联合会" and total[1] > 0
    assert persona_client("liaison").get(reverse("ledgers:export_coverage")).status_code == 404


def test_coverage_statistics_workbook_gives_the_counted_figures(officer_client):
    """Every sheet's numbers are the federations' figures counted from the facts
    (``coverage.compute`` and ``coverage.breakdown``, the definitions), although the workbook
    reads the coverage page's kept figures."""
    response = officer_client.get(reverse("ledgers:export_coverage"))
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    day = timezone.localdate()
    feds = {f.name: f for f in Federation.objects.all()}
    rows = [[c.value for c in row] for row in wb["总体"].iter_rows(min_row=2)]
    assert rows and all(row[1:] == _rate_cells(compute(Scope(feds[row[0]]), day)) for row in rows)
    for dimension, title in DIMENSION_TITLES.items():
        got = [[c.value for c in row] for row in wb[title].iter_rows(min_row=2)]
        want = [
            [name, _dimension_label(dimension, value), *_rate_cells(rates)]
            for name in [row[0] for row in rows]
            for value, rates in breakdown(Scope(feds[name]), day, dimension)
        ]
        assert got == want and got, dimension


def test_round_trip_export_import_changes_nothing(
    officer_client, demo_federation, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    for ledger, url in (
        ("members", "ledgers:export_members"),
        ("organizations", "ledgers:export_organizations"),
    ):
        data = officer_client.get(
            reverse(url) + ("?personal=1" if ledger == "members" else "")
        ).content
        response = _post_file(officer_client, data, f"{ledger}.xlsx", demo_federation, ledger)
        item = LedgerUpload.objects.get(pk=_pk(response["Location"]))
        assert item.status == "validated", item.message
        assert item.counts["new"] == 0 and item.counts["changed"] == 0, item.preview
        assert item.counts["invalid"] == 0, item.preview["errors"][:3]
        assert item.counts["unchanged"] > 10


def test_concurrent_import_into_the_same_federation_conflicts_cleanly(world, tmp_path):
    row = ["张三", "男", make_id(11), "", "", "2015-07-01", "", world.units[0].uscc, "", "", "否"]
    first = upload(world, write_xlsx(tmp_path / "a.xlsx", [MEMBER_HEADERS, row]))
    second = upload(world, write_xlsx(tmp_path / "b.xlsx", [MEMBER_HEADERS, row]))
    LedgerUpload.objects.filter(pk=first.pk).update(status=LedgerUpload.Status.COMMITTING)
    with pytest.raises(services.ImportBusy, match="另一项导入（a.xlsx）正在进行"):
        services.commit(second, actor=world.user)
    assert PartyMember.objects.filter(name="张三").count() == 0
    response = world.client.post(reverse("ledgers:commit", args=[second.pk]))
    page = world.client.get(response["Location"]).content.decode()
    assert "正在进行" in page
    LedgerUpload.objects.filter(pk=first.pk).update(status=LedgerUpload.Status.COMMITTED)
    services.commit(second, actor=world.user)
    assert PartyMember.objects.filter(name="张三").count() == 1


def test_large_uploads_run_in_the_background_with_progress(
    world, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "BACKGROUND_BYTES", 0)
    row = ["张三", "男", make_id(11), "", "", "2015-07-01", "", world.units[0].uscc, "", "", "否"]
    path = write_xlsx(tmp_path / "a.xlsx", [MEMBER_HEADERS, row])
    with override_settings(TASKS=IMMEDIATE_TASKS):
        # The task is enqueued once the request's transaction commits, not before.
        with django_capture_on_commit_callbacks(execute=True) as queued:
            response = _post_file(world.client, path.read_bytes(), "a.xlsx", world.federation)
        assert len(queued) == 1
        item = LedgerUpload.objects.get(pk=_pk(response["Location"]))
        assert item.task_id and item.status == "validated"
        progress = world.client.get(reverse("ledgers:progress", args=[item.pk]))
        assert progress["HX-Refresh"] == "true"
        assert services.read_progress(item)["done"] == 1
        with django_capture_on_commit_callbacks(execute=True):
            world.client.post(reverse("ledgers:commit", args=[item.pk]))
    item.refresh_from_db()
    assert item.status == "committed"
    assert PartyMember.objects.filter(name="张三").count() == 1
    events = AuditLog.objects.filter(object_id=str(item.pk), object_type="ledgers.ledgerupload")
    queued_events = set(events.values_list("event_type", flat=True))
    assert {"ledgers.analysis_queued", "ledgers.commit_queued"} <= queued_events
    # The background import's audit rows carry the id of the request that queued it.
    commit_queued = events.get(event_type="ledgers.commit_queued")
    imported = events.get(event_type="ledgers.imported")
    assert commit_queued.request_id and imported.request_id == commit_queued.request_id


def test_a_queued_import_is_not_queued_twice(world, tmp_path, monkeypatch):
    monkeypatch.setattr(services, "BACKGROUND_BYTES", 0)
    item = upload(world, write_xlsx(tmp_path / "a.xlsx", [MEMBER_HEADERS]))
    services.queue_commit(item, valid_only=False, actor=world.user)
    item.refresh_from_db()
    assert item.status == "queued"
    with pytest.raises(services.ImportBusy):
        services.queue_commit(item, valid_only=True, actor=world.user)


def test_progress_page_polls_while_active(world, tmp_path):
    item = upload(world, write_xlsx(tmp_path / "a.xlsx", [MEMBER_HEADERS]))
    LedgerUpload.objects.filter(pk=item.pk).update(status="committing", counts={"rows": 10})
    services.write_progress(item, 4, "commit")
    html = world.client.get(reverse("ledgers:progress", args=[item.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in html and 'value="40"' in html and "4 / 10 行" in html


def test_cancel_stops_an_import_and_leaves_the_database_unchanged(world, tmp_path):
    row = ["张三", "男", make_id(11), "", "", "2015-07-01", "", world.units[0].uscc, "", "", "否"]
    item = upload(world, write_xlsx(tmp_path / "a.xlsx", [MEMBER_HEADERS, row]))
    services._flag(item, "cancel").parent.mkdir(parents=True, exist_ok=True)
    services._flag(item, "cancel").touch()  # as the cancel button does while it runs
    services.commit(item, actor=world.user)
    item.refresh_from_db()
    assert item.status == "cancelled" and "没有导入" in item.message
    assert PartyMember.objects.filter(name="张三").count() == 0
    other = upload(world, write_xlsx(tmp_path / "b.xlsx", [MEMBER_HEADERS, row]))
    world.client.post(reverse("ledgers:cancel", args=[other.pk]))
    other.refresh_from_db()
    assert other.status == "cancelled"


def test_command_line_import(world, tmp_path, capsys):
    from django.core.management import call_command

    row = ["张三", "男", make_id(11), "", "", "2015-07-01", "", world.units[0].uscc, "", "", "否"]
    path = write_xlsx(tmp_path / "a.xlsx", [MEMBER_HEADERS, row])
    call_command("import", str(path), ledger="members", federation="测网联", verbosity=0)
    assert "新增 1" in capsys.readouterr().out
    call_command("import", str(path), ledger="members", federation="测网联", verbosity=0)
    assert "没有变化" in capsys.readouterr().out
    bad = write_xlsx(tmp_path / "b.xlsx", [MEMBER_HEADERS, row[:2] + ["1.10105E+17"] + row[3:]])
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("import", str(bad), ledger="members", federation="测网联", verbosity=0)
    out = capsys.readouterr().out
    assert "第 2 行" in out and "1.10105E+17" in out


def test_member_export_is_the_same_a_few_members_at_a_time(officer_client, monkeypatch):
    """The export reads members and their jobs a chunk at a time (a province's million would
    not fit in memory at once): every chunk size gives the same rows, employers and dated
    relations included."""
    from dangjian.ledgers import exports as ledger_exports

    def rows():
        content = officer_client.get(reverse("ledgers:export_members")).content
        sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
        return [tuple(c.value for c in row) for row in sheet.iter_rows()]

    whole = rows()
    headers = whole[0]
    employed = [r for r in whole[1:] if r[headers.index("工作单位")]]
    assert len(whole) > 10 and employed
    monkeypatch.setattr(ledger_exports, "MEMBER_CHUNK", 3)
    assert rows() == whole
