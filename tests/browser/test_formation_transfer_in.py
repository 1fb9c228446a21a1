"""Formation moves relations in the browser (issue 13, point 3): once a formation case is
approved, the federation officer finds on its page the covered unit's member whose 组织关系 is
held by another branch of the system (not those held outside it), ticks them and transfers them
in with one button; the transfer awaits the new branch's acceptance and the member stays with
the sending branch until then."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

pytestmark = pytest.mark.browser
UNIT = "天津市网络直播行业协会"
FROM = "天津市互联网金融协会党支部"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_the_approved_case_offers_the_members_held_elsewhere(demo_live, page, sign_in):
    from django.contrib.auth import get_user_model

    from dangjian.applications import services
    from dangjian.party import services as party_services
    from dangjian.party.models import Employment, PartyMember, PartyOrganization
    from dangjian.party.queries import held_in_q
    from dangjian.registry.models import Organization
    from dangjian.transfers.models import Transfer

    today = timezone.localdate()
    officer = get_user_model().objects.get(username="officer")
    unit = Organization.objects.get(name=UNIT)
    source = PartyOrganization.objects.get(name=FROM)
    mover = (
        PartyMember.objects.filter(held_in_q(today, [source]), is_flowing=False)
        .exclude(transfers__status=Transfer.Status.ISSUED)
        .order_by("pk")
        .first()
    )
    party_services.start_employment(mover, unit, on=today, actor=None)
    outsider = (
        Employment.objects.filter(organization=unit, member__relation_party_organization=None)
        .order_by("pk")
        .first()
        .member
    )
    case = services.open_formation_case(
        unit.memberships.first().federation,
        [unit],
        name=f"{UNIT}党支部",
        kind="branch",
        mode="in_member_unit",
        parent=PartyOrganization.objects.get(pk=source.parent_id) if source.parent_id else None,
        actor=officer,
    )
    case = services.update_formation_case(
        case,
        {
            "established_on": today,
            "approval_doc_no": "津网党〔2026〕31号",
            "approval_date": today,
            "secretary": mover,
        },
        [unit],
        version=case.version,
        approval_upload=SimpleUploadedFile("批文.pdf", PDF, content_type="application/pdf"),
        actor=officer,
    )
    case = services.submit_formation_case(case, version=case.version, actor=officer)
    branch = services.approve_formation_case(case, version=case.version, actor=officer)

    sign_in(demo_live, "officer")
    page.goto(f"{demo_live.url}/applications/formation/{case.pk}/")
    offer = page.inner_text("#transfer-in")
    assert "待转入组织关系的党员" in offer and mover.name in offer and FROM in offer
    assert outsider.name not in offer
    assert page.is_checked(f"#transfer-in-{mover.pk}")
    with page.expect_navigation():
        page.click("#transfer-in-button")
    assert "已生成 1 条转入" in page.inner_text("body")
    assert page.is_visible("#transfer-in-none")
    transfer = Transfer.objects.get(member=mover, to_party_organization=branch)
    assert transfer.status == Transfer.Status.ISSUED
    assert transfer.from_party_organization == source
    mover.refresh_from_db()
    assert mover.relation_party_organization == source  # until the new branch accepts
