"""A whole case campaign in Chromium: the national officer opens a call, a unit liaison writes
and submits a case (autosave, ledger figures, a photo), three experts score it blind, the officer
selects and publishes it, and a reader opens the public page on a phone without signing in."""

import datetime
import io
import os

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
UNIT = "天津市互联网协会"


def _photo(path):
    img = Image.new("RGB", (800, 450), (179, 20, 12))
    exif = Image.Exif()
    exif[0x010F] = "PhoneCamera"
    img.save(path, "JPEG", exif=exif)
    return path


def test_full_campaign_to_public_phone_page(demo_live, signed_in, screenshot_dir, tmp_path):
    from dangjian.cases.models import Campaign, Review, Submission

    server = demo_live
    # 1. The national federation's officer opens a call.
    page = signed_in(server, "national", "Dangjian-national-2026")
    page.goto(f"{server.url}/cases/campaigns/new/")
    deadline = timezone.localtime() + datetime.timedelta(days=2)
    page.select_option("#id_federation", label="中国网络社会组织联合会")
    page.fill("#id_year", "2031")
    page.fill("#id_title", "浏览器测试案例征集")
    page.fill("#id_call_text", "请报送党建工作案例。")
    page.fill("#id_deadline", deadline.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_categories_text", "组织建设\n活动创新")
    page.fill("#id_reviewers_per_submission", "3")
    page.fill("#id_selection_quota", "1")
    page.click("button[type=submit]")
    page.wait_for_url("**/cases/campaigns/*/")
    campaign = Campaign.objects.get(title="浏览器测试案例征集")
    assert campaign.rubric[0]["title"] == "政治引领"

    # 2. The liaison writes the case; the draft autosaves as they type.
    page = signed_in(server, "liaison")
    page.goto(f"{server.url}/cases/campaigns/{campaign.pk}/")
    page.fill("#id_new_title", "协会党支部的三项做法")
    page.click("#start-form button[type=submit]")
    page.wait_for_url("**/cases/submissions/*/")
    page.select_option("#id_category", "组织建设")
    page.fill("#section-0", f"{UNIT}成立多年，会员众多。")
    page.fill("#section-1", "<p>建立支部。</p><script>alert(1)</script>")
    page.locator("#autosave-status").filter(has_text="自动保存").wait_for()
    sub = Submission.objects.get(title="协会党支部的三项做法")
    for _ in range(20):  # the typing pause (3 s) or the 20 s tick saves the rest
        sub.refresh_from_db()
        if sub.sections["主要做法"]:
            break
        page.wait_for_timeout(1000)
    assert sub.sections["案例背景"].startswith(UNIT) and sub.autosaved_at
    page.fill("#section-2", "党员参加组织生活更积极。")
    page.fill("#id_as_of", timezone.localdate().isoformat())
    page.click("#pull-form button")
    expect(page.locator("#figures .confirmed")).to_have_count(2)
    page.set_input_files("#id_file", _photo(str(tmp_path / "photo.jpg")))
    page.fill("#id_caption", "主题党日活动")
    page.fill("#id_taken_on", "2031-03-01")
    page.click("#image-form button")
    page.locator("figure img").first.wait_for()
    page.click("#submit-case")
    assert page.locator("#status").inner_text() == "已报送"

    # 3. The deadline passes (the test moves it instead of waiting).
    Campaign.objects.filter(pk=campaign.pk).update(
        deadline=timezone.now() - datetime.timedelta(minutes=1)
    )
    page = signed_in(server, "national", "Dangjian-national-2026")
    page.goto(f"{server.url}/cases/campaigns/{campaign.pk}/")
    page.screenshot(path=os.path.join(screenshot_dir, "case-owner-before-assign.png"))
    page.click("#assign")
    assert "已分配评审任务 3 份" in page.content()

    # 4. Three experts score it blind.
    experts = [
        ("expert", "Dangjian-expert-2026", 9),
        ("expert2", "Dangjian-expert-2026", 8),
        ("expert3", "Dangjian-expert-2026", 7),
    ]
    for username, password, score in experts:
        page = signed_in(server, username, password)
        review = Review.objects.get(submission=sub, reviewer__username=username)
        page.goto(f"{server.url}/cases/review/{review.pk}/")
        html = page.content()
        assert UNIT not in html and "〔名称已隐去〕" in html
        assert "alert(1)" not in html
        for key in ("c1", "c2", "c3", "c4"):
            page.fill(f"#score-{key}", str(score))
        page.fill("#id_comment", "做法清楚。")
        page.click("#complete")
        page.wait_for_url("**/cases/review/")
    assert Review.objects.filter(submission=sub, completed_at__isnull=False).count() == 3

    # 5. The officer selects and publishes it.
    page = signed_in(server, "national", "Dangjian-national-2026")
    page.goto(f"{server.url}/cases/campaigns/{campaign.pk}/")
    expect(page.locator("#ranking tbody tr")).to_have_count(1)
    page.click("#ranking details summary")
    page.fill(f"#note-{sub.pk}", "本期介绍一个协会党支部的做法。")
    page.click("#ranking .select-form button")
    page.click("#publish")
    assert "已发布" in page.content()

    # 6. A reader on a phone, not signed in.
    phone = page.context.browser.new_context(
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
    )
    reader = phone.new_page()
    reader.goto(f"{server.url}/cases/public/{campaign.pk}/1/")
    assert reader.locator("h1").inner_text() == "协会党支部的三项做法"
    assert "本期介绍一个协会党支部的做法" in reader.locator("#editor-note").inner_text()
    assert reader.evaluate("document.documentElement.scrollWidth") <= 390
    assert reader.evaluate("document.querySelector('figure img').naturalWidth") == 800
    reader.screenshot(path=os.path.join(screenshot_dir, "case-phone.png"), full_page=True)
    # The demo's published Tianjin case, too.
    demo = Campaign.objects.get(year=2019)
    reader.goto(f"{server.url}/cases/public/{demo.pk}/1/")
    assert "2018年10月30日" in reader.content()
    assert reader.evaluate("document.documentElement.scrollWidth") <= 390
    reader.screenshot(path=os.path.join(screenshot_dir, "tianjin-case-phone.png"), full_page=True)
    with reader.expect_download() as download:
        reader.click("text=下载 Word 打印版")
    import docx

    with open(download.value.path(), "rb") as fh:
        document = docx.Document(io.BytesIO(fh.read()))
    assert any("案例背景" in p.text for p in document.paragraphs)
    phone.close()
