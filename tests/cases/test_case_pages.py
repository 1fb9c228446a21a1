"""Pages on the demo data: who sees what, blindness of every reviewer page and download, the
public pages without sign-in, the Word file, reports."""

import io
import re
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from dangjian.cases import text
from dangjian.cases.models import Campaign, Publication, Review, Submission, SubmissionAttachment

from .conftest import make_docx

pytestmark = pytest.mark.django_db
TIANJIN = "天津市网络社会组织联合会"


def _client(username):
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


@pytest.fixture
def campaign(demo_federation):
    return Campaign.objects.get(year=2019)


def test_demo_campaign_reviewed_by_three_experts_and_published(campaign):
    reviewers = set(
        Review.objects.filter(submission__campaign=campaign).values_list(
            "reviewer__username", flat=True
        )
    )
    assert reviewers == {"expert", "expert2", "expert3"}
    assert campaign.submissions.filter(status="submitted").count() >= 5
    tianjin = campaign.submissions.get(federation__name=TIANJIN)
    assert tianjin.reviews.filter(completed_at__isnull=False).count() == 3
    assert tianjin.publication.published_at is not None
    assert tianjin.figures.filter(confirmed=True, kind="member_units").get().value == "33"
    assert tianjin.figures.filter(confirmed=False).exists()
    # Conflict of interest: expert2 (江东) never reviews the 江东 federation's case.
    assert not Review.objects.filter(
        reviewer__username="expert2", submission__federation__name="江东省网络社会组织联合会"
    ).exists()


def test_demo_rankings_have_spread_and_borderline(campaign):
    html = (
        _client("national")
        .get(reverse("cases:campaign_detail", args=[campaign.pk]))
        .content.decode()
    )
    assert "党建与联合会同步起步" in html and "table-warning" in html
    assert TIANJIN in html  # owners see names; only reviewers are blind


def _blind_pages(username, campaign):
    client = _client(username)
    pages = [client.get(reverse("cases:review_list"))]
    downloads = []
    # This campaign's reviews only: a browser test in the same process may have left another
    # campaign's (committed by its live server), whose pages follow that campaign's stage.
    reviews = Review.objects.filter(reviewer__username=username, submission__campaign=campaign)
    for review in reviews.select_related("submission"):
        pages.append(client.get(reverse("cases:review", args=[review.pk])))
        for image in review.submission.images.all():
            downloads.append(client.get(reverse("cases:review_image", args=[review.pk, image.pk])))
        for n in range(1, review.submission.attachments.count() + 1):
            downloads.append(client.get(reverse("cases:review_attachment", args=[review.pk, n])))
    return pages, downloads


def _docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return "".join(
            zf.read(n).decode("utf-8", "replace") for n in zf.namelist() if n.endswith(".xml")
        )


@pytest.fixture
def attachments_removed():
    yield
    for item in SubmissionAttachment.objects.all():
        item.file.delete(save=False)


@pytest.mark.parametrize("username", ["expert", "expert2", "expert3"])
def test_reviewer_pages_and_downloads_never_name_the_unit(campaign, username, attachments_removed):
    # Give every case an attachment whose name and body and header name the unit.
    for sub in campaign.submissions.all():
        name = sub.submitter.name
        item = SubmissionAttachment(
            submission=sub, original_name=f"{name}材料.docx", kind="docx", size=1, sha256=""
        )
        item.file.save(
            "x.docx", ContentFile(make_docx(f"{name}的党建材料", author=name)), save=False
        )
        item.save()
    pages, downloads = _blind_pages(username, campaign)
    assert len(pages) > 1 and downloads
    names = {n for sub in campaign.submissions.all() for n in text.redaction_names(sub)}
    names |= {"津网联", TIANJIN, "天津市互联网金融协会", "天津市大数据协会"}
    for response in pages:
        assert response.status_code == 200
        html = response.content.decode()
        assert "&lt;p&gt;" not in html  # sanitised HTML is shown as HTML, not as its source
        for name in names:
            assert name not in html, name
    for response in downloads:
        assert response.status_code == 200
        disposition = response.get("Content-Disposition", "")
        data = b"".join(response.streaming_content)
        body = _docx_text(data) if data[:2] == b"PK" else data.decode("latin-1")
        for name in names:
            assert name not in body, name
            assert name not in disposition
        if data[:2] == b"PK":
            assert re.search(r"filename\*?=.*(%E9%99%84%E4%BB%B6|附件)\d\.docx", disposition)


def test_reviewer_sees_only_their_own_reviews(campaign):
    mine = Review.objects.filter(reviewer__username="expert2").first()
    other = Review.objects.exclude(reviewer__username="expert2").first()
    client = _client("expert2")
    assert client.get(reverse("cases:review", args=[mine.pk])).status_code == 200
    assert client.get(reverse("cases:review", args=[other.pk])).status_code == 404
    assert client.get(reverse("cases:review", args=[999999])).status_code == 404
    sub = mine.submission
    for url in (
        reverse("cases:submission", args=[sub.pk]),
        reverse("cases:campaign_detail", args=[campaign.pk]),
        reverse("cases:report", args=[campaign.pk]),
    ):
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("username", ["liaison", "officer", "outsider", "authority", "expert"])
def test_only_owners_run_the_campaign(campaign, username):
    client = _client(username)
    assert client.get(reverse("cases:campaign_edit", args=[campaign.pk])).status_code == 404
    assert client.get(reverse("cases:report", args=[campaign.pk])).status_code == 404
    assert client.post(reverse("cases:assign", args=[campaign.pk])).status_code == 404
    assert client.post(reverse("cases:publish", args=[campaign.pk])).status_code == 404


def test_outsider_sees_no_case(campaign):
    client = _client("outsider")
    assert client.get(reverse("cases:index")).status_code == 200
    assert client.get(reverse("cases:campaign_detail", args=[campaign.pk])).status_code == 404
    sub = campaign.submissions.first()
    assert client.get(reverse("cases:submission", args=[sub.pk])).status_code == 404


def test_submitters_see_their_own_and_open_calls(campaign):
    officer = _client("officer")
    index = officer.get(reverse("cases:index")).content.decode()
    assert "党建与联合会同步起步" in index  # the Tianjin federation's own case
    open_call = Campaign.objects.get(stage="open")
    assert open_call.title in index
    liaison = _client("liaison")
    other = campaign.submissions.get(federation__name=TIANJIN)
    assert liaison.get(reverse("cases:submission", args=[other.pk])).status_code == 404


def test_liaison_starts_and_autosaves_a_draft():
    open_call = Campaign.objects.get(stage="open")
    client = _client("liaison")
    page = client.get(reverse("cases:campaign_detail", args=[open_call.pk])).content.decode()
    value = re.search(r'<option value="(org-\d+)">天津市互联网协会', page).group(1)
    response = client.post(
        reverse("cases:start", args=[open_call.pk]), {"submitter": value, "title": "新案例"}
    )
    sub = Submission.objects.get(title="新案例")
    assert response["Location"] == reverse("cases:submission", args=[sub.pk])
    form = {"title": "新案例", "category": "组织建设", "section-0": "背景<script>x()</script>"}
    saved = client.post(reverse("cases:autosave", args=[sub.pk]), form, HTTP_HX_REQUEST="true")
    assert "自动保存" in saved.content.decode() or "Saved" in saved.content.decode()
    sub.refresh_from_db()
    assert sub.sections["案例背景"].startswith("背景") and sub.autosaved_at
    again = client.post(reverse("cases:autosave", args=[sub.pk]), form).content.decode()
    assert "没有未保存" in again or "No unsaved" in again
    # Another unit's liaison, or a forged submitter, gets nothing.
    forged = client.post(
        reverse("cases:start", args=[open_call.pk]), {"submitter": "fed-1", "title": "x"}
    )
    assert forged.status_code == 404
    page = client.get(reverse("cases:submission", args=[sub.pk])).content.decode()
    assert "<script>x()" not in page


def test_public_pages_need_no_sign_in_and_hold_no_personal_data(campaign, client):
    index = client.get(reverse("cases:public_index"))
    assert index.status_code == 200
    series = client.get(reverse("cases:public_campaign", args=[campaign.pk])).content.decode()
    assert "党建与联合会同步起步" in series
    pub = Publication.objects.get(submission__federation__name=TIANJIN)
    response = client.get(reverse("cases:public_case", args=[campaign.pk, pub.number]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "编者按" in html and "33" in html and "2018年10月30日" in html
    assert 'name="viewport"' in html
    for private in (
        "officer",
        "national",
        "liaison",
        "expert",
        "评审专家（",
        "做法具体",
        "思路清楚",
    ):
        assert private not in html
    # The unit's contact person and phone never appear.
    from dangjian.registry.models import Organization

    for org in Organization.objects.filter(name__startswith="天津市"):
        assert org.contact_phone not in html
    img = pub.submission.images.first()
    picture = client.get(reverse("cases:public_image", args=[img.pk]))
    assert picture.status_code == 200 and picture["Content-Type"] == "image/jpeg"


def test_unpublished_things_are_not_public(campaign, client):
    unselected = campaign.submissions.filter(selected=False).first()
    assert client.get(reverse("cases:public_case", args=[campaign.pk, 99])).status_code == 404
    open_call = Campaign.objects.get(stage="open")
    assert client.get(reverse("cases:public_campaign", args=[open_call.pk])).status_code == 404
    for image in unselected.images.all():
        assert client.get(reverse("cases:public_image", args=[image.pk])).status_code == 404


def test_word_file_for_printing(campaign, client):
    import docx

    pub = Publication.objects.get(submission__federation__name=TIANJIN)
    response = client.get(reverse("cases:public_case_docx", args=[campaign.pk, pub.number]))
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.content))
    body = "\n".join(p.text for p in document.paragraphs)
    assert pub.title in body and "编者按" in body and "一、案例背景" in body
    section = document.sections[0]
    assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28


def test_report_page_with_chart_data(campaign):
    html = _client("national").get(reverse("cases:report", args=[campaign.pk])).content.decode()
    assert 'id="case-report-data"' in html and "echarts.min.js" in html
    assert TIANJIN in html
    assert "评审专家（江东省）" in html  # the owners' progress table names the experts


def test_campaign_form_creates_a_campaign():
    client = _client("national")
    from dangjian.registry.models import Federation

    national = Federation.objects.get(name="中国网络社会组织联合会")
    response = client.post(
        reverse("cases:campaign_create"),
        {
            "federation": national.pk,
            "year": 2031,
            "title": "测试征集",
            "call_text": "说明",
            "deadline": "2031-06-30T18:00",
            "section_word_limit": 1000,
            "total_word_limit": 3000,
            "max_images": 3,
            "max_attachments": 2,
            "max_attachment_mb": 5,
            "reviewers_per_submission": 2,
            "selection_quota": 2,
            "borderline_margin": 1,
            "categories_text": "甲\n乙",
            "sections_text": "案例背景\n主要做法",
            "rubric_text": "创新 = 40\n实效 = 60",
        },
    )
    campaign = Campaign.objects.get(title="测试征集")
    assert response.status_code == 302
    assert campaign.rubric == [
        {"key": "c1", "title": "创新", "weight": 40},
        {"key": "c2", "title": "实效", "weight": 60},
    ]
    assert campaign.deadline.hour == 10  # 18:00 in Beijing is 10:00 UTC
    bad = client.post(reverse("cases:campaign_create"), {"rubric_text": "创新 = 零"})
    assert bad.status_code == 200
