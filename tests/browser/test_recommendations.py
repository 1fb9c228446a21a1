"""A newcomer drafts a handling recommendation for a dormant society from its findings,
numbers it and downloads the Word letter."""

import datetime
import io

import pytest
from docx import Document

pytestmark = pytest.mark.browser
TODAY = datetime.date.today()


def test_dormant_society_letter_from_findings_to_word(demo_live, page, sign_in):
    from dangjian.registry.models import Federation
    from dangjian.rules.engine import run_rulebook

    # The demo build ran the rulebook; run it again in case this database was rebuilt without.
    run_rulebook(Federation.objects.get(short_name="中网联"), TODAY)
    sign_in(demo_live, "officer")
    page.click("#menu-recommendations")
    page.click(".dropdown-menu.show a:text-is('根据问题拟稿')")
    row = page.locator("tr", has_text="天津市网络游戏行业协会").filter(has_text="休眠社团")
    row.locator("input[type=checkbox]").check()
    page.click("#draft-button")
    assert page.locator("h1").inner_text() == "关于天津市网络游戏行业协会有关问题的处理建议函"
    assert page.locator("#letter-status").inner_text() == "草稿"
    page.click("#step-issue")
    number = page.locator("#doc-number").inner_text()
    assert number.startswith(f"津网联〔{TODAY.year}〕") and number.endswith("号")
    with page.expect_download() as info:
        page.click("#download-docx")
    path = info.value.path()
    with open(path, "rb") as fh:
        doc = Document(io.BytesIO(fh.read()))
    texts = [p.text for p in doc.paragraphs]
    assert number in texts
    assert "天津市委网信办：" in texts
    page.click("#step-send")
    assert page.locator("#letter-status").inner_text() == "已发送"
