"""What users see of findings is plain Chinese (issue 17, point 7): rule titles, not ids;
severities, statuses and periods in words; the evidence as a labelled table, not JSON; the
rulebook's source cited; dates in letters as official text writes them."""

import datetime
import io
import re

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document

from dangjian.core.dates import official_date
from dangjian.rulebook import loader as rulebook
from dangjian.rules.models import Finding

pytestmark = pytest.mark.django_db
RULE_IDS = rulebook.load().rule_ids()
# What the pages used to show: rule ids, English severities, JSON, period keys, the design
# notes' citations and the audit trail's "anonymous".
DEVELOPER_TEXT = re.compile(
    r"|".join(
        [
            *(re.escape(r) for r in RULE_IDS),
            r"\bserious\b",
            r"\bwarning\b",
            r"\binformation\b",
            r"\bopen\b",
            r"term:",
            r"since:",
            r"DOMAIN\.md",
            r"§",
            r"anonymous",
            r"\{\s*\"",
            r"\{as_of\}|\{(?:days|months) since",  # rules.asof's marks, not read as of a day
        ]
    )
)


def visible(html: str) -> str:
    """The text a person reads: no tags, scripts or attribute values."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def developer_text(html: str) -> list[str]:
    return DEVELOPER_TEXT.findall(visible(html))


def test_the_worklist_speaks_chinese(officer_client):
    page = officer_client.get(reverse("rules:finding_list")).content.decode()
    assert developer_text(page) == []
    text = visible(page)
    assert "换届逾期" in text and "2020年6月18日起的任期" in text
    assert "严重" in text and "待处理" in text
    # Explanations with official dates: 自2020年6月18日起, not 自 2020-06-18 起.
    assert "本届任期自2020年6月18日" in text


def test_every_finding_page_speaks_chinese(officer_client, demo_federation):
    findings = Finding.objects.filter(federation__path__startswith=demo_federation.path)
    assert findings.count() >= 15
    for finding in findings:
        url = reverse("rules:finding_detail", args=[finding.pk])
        page = officer_client.get(url).content.decode()
        assert developer_text(page) == [], (finding.rule_id, developer_text(page))
        assert finding.title in page
        assert re.search(r"\d{4}-\d{2}-\d{2}", visible(page)) is None, finding.rule_id
        # Every evidence key has its Chinese label (an unlabelled key shows as itself).
        evidence = page[
            page.index('id="evidence"') : page.index("</table>", page.index('id="evidence"'))
        ]
        assert re.search(r"[a-z]+_[a-z]+", visible(evidence)) is None, (finding.rule_id, evidence)


def test_the_evidence_is_a_labelled_table(officer_client):
    overdue = Finding.objects.get(rule_id="terms.overdue")
    page = officer_client.get(reverse("rules:finding_detail", args=[overdue.pk])).content.decode()
    table = visible(
        page[page.index('id="evidence"') : page.index("</table>", page.index('id="evidence"'))]
    )
    rows = [" ".join(line.split()) for line in table.splitlines() if line.strip()]
    assert "本届任期起始日期 2020年6月18日" in rows
    assert "每届任期（年） 3" in rows
    # The source is the rulebook's citation.
    assert "关于党的基层组织任期的意见" in visible(page[page.index('id="source"') :])


def test_the_four_standards_finding_links_to_the_vacancy(officer_client):
    standards = Finding.objects.get(rule_id="standards.incomplete")
    vacancy = Finding.objects.get(
        rule_id="terms.secretary_vacant", party_organization=standards.party_organization
    )
    page = officer_client.get(reverse("rules:finding_detail", args=[standards.pk])).content.decode()
    evidence = page[page.index('id="evidence"') :]
    assert "未达到的标准" in evidence and "没有在任书记" in evidence
    assert reverse("rules:finding_detail", args=[vacancy.pk]) in evidence


def test_the_rulebook_page_speaks_chinese(officer_client):
    page = officer_client.get(reverse("rules:rulebook")).content.decode()
    text = visible(page)
    # The keys stay beside the labels for overrides, in a <code> of their own.
    keys = re.findall(r"<code[^>]*>([a-z_]+)</code>", page)
    assert "min_full_members" in keys
    for key in keys:
        text = text.replace(key, "")
    assert DEVELOPER_TEXT.findall(text) == []
    words = " ".join(text.split())
    assert "正式党员不少于（名）：3" in words
    assert "适用单位：社会团体、民办非企业单位、基金会" in words
    assert "无任何记录时的严重程度：提示" in words


def test_the_worklist_export_speaks_chinese(officer_client):
    response = officer_client.get(reverse("rules:finding_list"), {"export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    text = " ".join(cells)
    assert DEVELOPER_TEXT.findall(text) == []
    assert "换届逾期" in text and "2020年6月18日起的任期" in text


def test_a_past_day_is_listed_as_of_that_day(officer_client, demo_federation):
    """The worklist "as of" a replayed day: what that day found, with that day's text."""
    from dangjian.rules.engine import Engine

    past = timezone.localdate() - datetime.timedelta(days=400)
    Engine(demo_federation.parent or demo_federation, past).run()
    today_list = visible(officer_client.get(reverse("rules:finding_list")).content.decode())
    as_of = visible(
        officer_client.get(
            reverse("rules:finding_list"), {"as_of": past.isoformat()}
        ).content.decode()
    )
    assert f"截至{official_date(past)}" in as_of
    assert f"截至{official_date(past)}" not in today_list


def test_a_letter_writes_dates_as_official_text_does(officer_client, demo_federation):
    from dangjian.recommendations.models import Letter

    dormant = Finding.objects.get(rule_id="dormancy.dormant_society")
    response = officer_client.post(
        reverse("recommendations:finding_select"),
        {"findings": [dormant.pk], "recipient_kind": "supervisor", "recipient": ""},
    )
    letter = Letter.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    download = officer_client.get(reverse("recommendations:letter_download", args=[letter.pk]))
    body = "\n".join(p.text for p in Document(io.BytesIO(download.content)).paragraphs)
    day = dormant.last_seen
    assert f"截至{day.year}年{day.month}月{day.day}日，该社会组织疑似休眠" in body
    assert re.search(r"\d{4}-\d{2}-\d{2}", body) is None
    assert "休眠社团" in body and "dormancy" not in body


def test_the_annual_inspection_page_names_findings_by_title(officer_client):
    dormant = Finding.objects.get(rule_id="dormancy.dormant_society")
    year = timezone.localdate().year - 1
    page = officer_client.get(
        reverse("inspections:inspection_edit", args=[dormant.organization_id, year])
    ).content.decode()
    assert "休眠社团" in page
    assert "dormancy.dormant_society" not in visible(page)


def test_the_profile_links_to_the_units_own_findings(officer_client):
    """The profile's "findings" button lists the unit's findings (it used to pass a filter the
    list does not have, and showed every finding)."""
    dormant = Finding.objects.get(rule_id="dormancy.dormant_society")
    profile = officer_client.get(
        reverse("registry:organization_detail", args=[dormant.organization_id])
    ).content.decode()
    link = re.search(r'href="(/[^"]*findings/\?unit=[^"]*)"', profile).group(1)
    listed = visible(officer_client.get(link.replace("&amp;", "&")).content.decode())
    assert "休眠社团" in listed and "建议列入活动异常名录" in listed
    assert "天津市网络直播行业协会" not in listed


def test_units_in_the_evidence_link_to_their_profiles(officer_client):
    joint = Finding.objects.get(rule_id="formation.joint_branch_too_many_units")
    page = officer_client.get(reverse("rules:finding_detail", args=[joint.pk])).content.decode()
    evidence = page[
        page.index('id="evidence"') : page.index("</table>", page.index('id="evidence"'))
    ]
    links = re.findall(r'<a href="/[^"]*/(\d+)/">([^<]+)</a>', evidence)
    assert len(links) == 6 and all(name.startswith("天津市") for _, name in links)
