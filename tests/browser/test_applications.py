"""Browser walks of the joining, formation and instructor workflows (Chromium via Playwright)."""

import datetime
import random

import pytest
from playwright.sync_api import expect

from dangjian.demo import identity

pytestmark = pytest.mark.browser


def test_apply_through_invitation_then_approve_and_see_formation_task(demo_live, page, sign_in):
    from dangjian.applications.models import Application, Invitation

    rng = random.Random(11)
    invitation = Invitation.objects.first()
    page.goto(f"{demo_live.url}/applications/apply/{invitation.token}/")
    assert "入会申请" in page.title()
    page.fill("#id_name", "天津市浏览器测试协会")
    page.fill("#id_uscc", "91350100M000100Y44")
    page.locator(".live-feedback").first.get_by_text("校验").wait_for()
    page.fill("#id_uscc", identity.social_credit_code(rng, "51"))
    page.locator(".live-feedback").first.get_by_text("格式正确").wait_for()
    page.select_option("#id_legal_form", "social_group")
    page.select_option("#id_category", "association")
    page.fill("#id_district", "和平区")
    page.fill("#id_contact_name", "李四")
    page.fill("#id_contact_phone", "13800001111")
    page.fill("#id_members-0-name", "赵五")
    page.select_option("#id_members-0-gender", "female")
    page.fill("#id_members-0-id_number", "110105198001010021")
    page.locator("#id_members-0-id_number + .live-feedback").get_by_text("校验").wait_for()
    page.fill("#id_members-0-id_number", identity.id_number(rng, datetime.date(1980, 1, 1), False))
    page.fill("#id_members-0-joined_party_on", "2005-07-01")
    page.fill("#id_members-0-full_member_on", "2006-07-01")
    page.click("#add-member")
    assert page.locator("#id_members-2-name").count() == 1  # two blank rows, then the added one
    page.click("#submit-application")
    page.wait_for_load_state()
    errors = page.locator(".invalid-feedback").all_inner_texts()
    assert "/applications/draft/" in page.url, errors
    assert "专属链接" in page.content() and "已提交，待审核" in page.content()
    assert Application.objects.get(name="天津市浏览器测试协会").status == "submitted"

    sign_in(demo_live, "officer")
    page.click("#menu-applications")
    page.click("text=入会申请")
    page.click("#applications a:text-is('天津市数字内容创作者协会')")
    page.select_option("#id_role", "director")
    page.click("#approve-form button[type=submit]")
    assert "已批准" in page.locator("#status").inner_text()
    assert "已同步立项" in page.content()
    page.click("#menu-applications")
    page.click("text=组建党组织")
    # The click returns once the list's address is committed, maybe before its table is drawn
    # (CI once counted 0 here): wait for the case's link, then check it is the only one.
    case_link = page.locator("#cases a:text-is('天津市数字内容创作者协会党支部')")
    case_link.first.wait_for()
    assert case_link.count() == 1


def test_joint_branch_and_instructor(demo_live, page, sign_in):
    from dangjian.party.models import Employment, Instructor

    sign_in(demo_live, "officer")
    page.goto(f"{demo_live.url}/applications/formation/")
    page.click("#open-case")
    page.fill("#id_name", "网信领域社会组织第三联合党支部")
    page.select_option("#id_kind", "joint_branch")
    page.select_option("#id_mode", "via_supervisor")
    page.select_option(
        "#id_units",
        label=["天津市区块链协会", "天津市地理信息产业协会", "天津智链信息科技有限公司"],
    )
    page.click("#open-form button[type=submit]")
    page.wait_for_url("**/applications/formation/*/")
    today = datetime.date.today().isoformat()
    page.fill("#id_established_on", today)
    page.fill("#id_approval_doc_no", "津网党〔2026〕30号")
    page.fill("#id_approval_date", today)
    page.select_option("#id_parent", label="天津市互联网行业党委")
    secretary = (
        Employment.objects.filter(
            organization__name="天津市区块链协会", member__full_member_on__isnull=False
        )
        .first()
        .member
    )
    page.select_option("#id_secretary", str(secretary.pk))
    page.set_input_files(
        "#id_approval_upload",
        files=[{"name": "批文.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}],
    )
    page.click("#case-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#standards .bi-x-circle-fill").count() == 0
    page.click("#submit-case")
    page.click("#approve-case")
    assert "已建立党组织" in page.content()

    page.goto(f"{demo_live.url}/applications/instructors/")
    page.click("#appoint")
    page.fill("#id_name", "陈指导")
    page.fill("#id_dispatched_by", "天津市互联网行业党委")
    page.fill("#id_notice_no", "津网党〔2026〕31号")
    page.fill("#id_notice_date", today)
    page.fill("#id_valid_from", today)
    page.click("#appoint-form button[type=submit]")
    page.wait_for_url("**/applications/instructors/*/")
    page.select_option("#assign-form #id_organization", label="天津市网络游戏行业协会")
    page.fill("#assign-form #id_notice_no", "津网党〔2026〕32号")
    page.fill("#assign-form #id_notice_date", today)
    page.click("#assign-form button[type=submit]")
    expect(page.locator("#units").get_by_text("天津市网络游戏行业协会")).to_have_count(1)
    page.select_option("#visit-form #id_organization", label="天津市网络游戏行业协会")
    page.fill("#visit-form #id_visitors", "陈指导")
    page.fill("#visit-form #id_findings", "协会负责人介绍了党建工作打算")
    page.click("#visit-form button[type=submit]")
    expect(page.locator("#visits").get_by_text("协会负责人介绍了党建工作打算")).to_have_count(1)
    assert Instructor.objects.get(name="陈指导").visits.count() == 1
