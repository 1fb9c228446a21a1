"""Joining end to end through the pages: invitation link → application with party members →
review → approval into the ledger → formation task; returns, rejections, conflicts and the
messages beside the fields."""

import datetime
import random
import re

import pytest
from django.urls import reverse

from dangjian.applications.models import Application, FormationCase, StatusChange
from dangjian.core.crypto import blind_index
from dangjian.core.models import AuditLog
from dangjian.demo import identity
from dangjian.party.models import Employment, PartyMember
from dangjian.registry.models import Membership, Organization

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
rng = random.Random(7)


def unit_data(**over):
    data = {
        "name": "天津市测试网络协会",
        "uscc": identity.social_credit_code(rng, "51"),
        "legal_form": "social_group",
        "category": "association",
        "district": "和平区",
        "supervising_unit": "天津市委网信办",
        "registration_authority": "天津市民政局",
        "founded_on": "2020-01-02",
        "registered_address": "天津市和平区南京路1号",
        "contact_name": "李四",
        "contact_phone": "13800001111",
        "requested_role": "member",
        "statement": "",
    }
    data.update(over)
    return data


def member_rows(specs):
    """specs: list of (name, male, full?) → formset POST data."""
    data = {"members-TOTAL_FORMS": str(len(specs)), "members-INITIAL_FORMS": "0"}
    for i, (name, male, full, *rest) in enumerate(specs):
        id_number = (
            rest[0] if rest else identity.id_number(rng, datetime.date(1985, 3, i + 1), male)
        )
        data.update(
            {
                f"members-{i}-name": name,
                f"members-{i}-gender": "male" if male else "female",
                f"members-{i}-ethnicity": "汉族",
                f"members-{i}-id_number": id_number,
                f"members-{i}-joined_party_on": "2010-07-01",
                f"members-{i}-full_member_on": "2011-07-01" if full else "",
                f"members-{i}-relation_held_by": "某党委",
            }
        )
    return data


@pytest.fixture
def invitation(demo_federation):
    return demo_federation.invitations.first()


def apply(client, invitation, unit, members, action="submit"):
    url = reverse("applications:apply", args=[invitation.token])
    return client.post(url, {**unit, **members, action: "1"})


def test_demo_has_an_invitation_a_waiting_and_a_returned_application(demo_federation):
    statuses = set(
        Application.objects.filter(federation=demo_federation).values_list("status", flat=True)
    )
    assert {"submitted", "returned"} <= statuses
    waiting = Application.objects.get(name="天津市数字内容创作者协会")
    assert sum(1 for m in waiting.members.all() if m.is_full) == 3
    assert waiting.invitation.is_open()


def test_submit_approve_creates_ledger_and_formation_task(client, officer_client, invitation):
    existing = PartyMember.objects.filter(full_member_on__isnull=False).first()
    unit = unit_data()
    members = member_rows(
        [
            ("甲一", True, True),
            ("乙二", False, True),
            ("丙三", True, False),
            (existing.name, existing.gender == "male", True, existing.id_number),
        ]
    )
    response = apply(client, invitation, unit, members)
    assert response.status_code == 302
    token = response["Location"].rstrip("/").split("/")[-1]
    application = Application.objects.get(uscc=unit["uscc"])
    assert application.status == "submitted"
    # The ID numbers are encrypted at rest, with the blind index beside them.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, id_number_hash FROM applications_applicantmember WHERE application_id = %s",
            [application.pk],
        )
        stored = cursor.fetchall()
    assert all(v.startswith("enc1:") for v, _h in stored)
    assert {h for _v, h in stored} >= {blind_index(existing.id_number)}
    # The applicant sees the status through the secret link, and can no longer edit.
    page = client.get(reverse("applications:apply_edit", args=[token])).content.decode()
    assert "审核" in page and "members-0-name" not in page

    # The officer sees it waiting, with the member already in the ledger flagged.
    html = officer_client.get(reverse("applications:application_list")).content.decode()
    assert unit["name"] in html
    detail = officer_client.get(reverse("applications:application_detail", args=[application.pk]))
    html = detail.content.decode()
    assert "已在党员台账中" in html
    assert existing.id_number not in html

    before = PartyMember.objects.count()
    response = officer_client.post(
        reverse("applications:application_decide", args=[application.pk, "approve"]),
        {"version": application.version, "role": "director", "joined_on": TODAY.isoformat()},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "approved"
    org = application.organization
    assert Membership.objects.get(organization=org).role == "director"
    assert PartyMember.objects.count() == before + 3  # the fourth is linked, not duplicated
    assert Employment.objects.filter(organization=org, member=existing).exists()
    assert PartyMember.objects.filter(id_number_hash=blind_index(existing.id_number)).count() == 1
    # 3 full members and no party organization: the formation task is there right away.
    case = FormationCase.objects.get(application=application)
    assert list(case.units.all()) == [org]
    html = officer_client.get(reverse("applications:formation_list")).content.decode()
    assert case.name in html
    events = set(
        AuditLog.objects.filter(object_id=str(application.pk)).values_list("event_type", flat=True)
    )
    assert {"application.submitted", "application.approved"} <= events
    steps = list(application.history.values_list("to_status", flat=True))
    assert steps == ["draft", "submitted", "approved"]
    assert AuditLog.objects.filter(event_type="formation.opened", object_id=str(case.pk)).exists()


def test_unit_below_threshold_gets_no_formation_task(client, officer_client, invitation):
    unit = unit_data(name="天津市小型网络协会")
    apply(client, invitation, unit, member_rows([("甲", True, True), ("乙", True, True)]))
    application = Application.objects.get(uscc=unit["uscc"])
    officer_client.post(
        reverse("applications:application_decide", args=[application.pk, "approve"]),
        {"version": application.version, "role": "member", "joined_on": TODAY.isoformat()},
    )
    application.refresh_from_db()
    assert application.status == "approved"
    assert not FormationCase.objects.filter(application=application).exists()


def test_return_with_reason_then_resubmit_then_reject(client, officer_client, invitation):
    unit = unit_data(name="天津市退回测试协会")
    response = apply(client, invitation, unit, member_rows([("甲", True, True)]))
    secret = reverse(
        "applications:apply_edit", args=[response["Location"].rstrip("/").split("/")[-1]]
    )
    application = Application.objects.get(uscc=unit["uscc"])
    url = reverse("applications:application_decide", args=[application.pk, "return"])
    # A reason is required, and the message sits next to the field.
    html = officer_client.post(
        url, {"ret-version": application.version, "ret-reason": ""}
    ).content.decode()
    assert "这个字段是必填项" in html
    officer_client.post(url, {"ret-version": application.version, "ret-reason": "请补充地址"})
    application.refresh_from_db()
    assert application.status == "returned" and application.reason == "请补充地址"
    page = client.get(secret).content.decode()
    assert "请补充地址" in page and "members-0-name" in page
    response = client.post(
        secret,
        {
            **unit,
            "registered_address": "新地址",
            **member_rows([("甲", True, True)]),
            "version": application.version,
            "submit": "1",
        },
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "submitted" and application.registered_address == "新地址"
    officer_client.post(
        reverse("applications:application_decide", args=[application.pk, "reject"]),
        {"rej-version": application.version, "rej-reason": "不符合入会条件"},
    )
    application.refresh_from_db()
    assert application.status == "rejected"
    history = list(
        StatusChange.objects.filter(application=application).values_list("to_status", "actor_name")
    )
    assert [s for s, _ in history] == ["draft", "submitted", "returned", "submitted", "rejected"]
    assert ("returned", "officer") in history
    assert AuditLog.objects.filter(
        event_type="application.rejected", object_id=str(application.pk)
    ).exists()


def test_validation_messages_are_chinese_and_beside_fields(client, invitation):
    unit = unit_data(uscc="91350100M000100Y44", contact_phone="abc")
    members = member_rows([("甲", True, True, "110105194912310021"), ("乙", True, True)])
    response = apply(client, invitation, unit, members)
    html = response.content.decode()
    assert response.status_code == 200
    assert "统一社会信用代码" in html and "校验" in html
    assert "身份证" in html
    assert html.count("invalid-feedback") >= 3
    assert not Application.objects.filter(name=unit["name"]).exists()


def test_duplicate_id_numbers_and_gender_mismatch(client, invitation):
    same = identity.id_number(rng, datetime.date(1980, 1, 1), True)
    members = member_rows(
        [
            ("甲", True, True, same),
            ("乙", True, True, same),
            ("丙", False, True, identity.id_number(rng, datetime.date(1981, 1, 1), True)),
        ]
    )
    html = apply(client, invitation, unit_data(), members).content.decode()
    assert "第 1 行" in html or "第1行" in html
    assert "性别与身份证号码" in html


def test_current_member_cannot_apply_again(client, invitation):
    org = Organization.objects.get(name="天津市互联网协会")
    html = apply(client, invitation, unit_data(uscc=org.uscc), member_rows([])).content.decode()
    assert "已是联合会会员" in html


def test_live_validation_endpoint(client):
    url = reverse("applications:validate_field", args=["id_number"])
    bad = client.post(url, {"members-0-id_number": "110105194912310021"}).content.decode()
    assert "invalid-feedback" in bad and "校验" in bad
    good = client.post(url, {"members-0-id_number": "11010519491231002x"}).content.decode()
    assert "valid-feedback" in good
    uscc = client.post(reverse("applications:validate_field", args=["uscc"]), {"uscc": "123"})
    assert "18" in uscc.content.decode()
    assert client.get(url).status_code == 405
    assert client.post(reverse("applications:validate_field", args=["name"]), {}).status_code == 404


def test_expired_or_unknown_invitation(client, invitation):
    assert client.get(reverse("applications:apply", args=["nope"])).status_code == 404
    invitation.expires_on = TODAY - datetime.timedelta(days=1)
    invitation.save()
    response = client.get(reverse("applications:apply", args=[invitation.token]))
    assert response.status_code == 410
    assert "已过期" in response.content.decode()


def test_unknown_secret_link_is_404(client):
    assert client.get(reverse("applications:apply_edit", args=["x" * 43])).status_code == 404


def test_two_officers_editing_see_a_conflict(officer_client, persona_client):
    application = Application.objects.get(name="天津市数字内容创作者协会")
    admin = persona_client("admin")
    url = reverse("applications:application_edit", args=[application.pk])
    unit = {
        f: getattr(application, f)
        for f in (
            "name",
            "uscc",
            "legal_form",
            "category",
            "district",
            "contact_name",
            "contact_phone",
            "requested_role",
        )
    }
    unit["founded_on"] = "2021-05-18"
    rows = {"members-TOTAL_FORMS": "0", "members-INITIAL_FORMS": "0"}
    stale = application.version
    first = admin.post(url, {**unit, **rows, "name": "改名一", "version": stale, "save": "1"})
    assert first.status_code == 302
    second = officer_client.post(
        url, {**unit, **rows, "name": "改名二", "version": stale, "save": "1"}
    )
    html = second.content.decode()
    assert "冲突" in html and "admin" in html
    application.refresh_from_db()
    assert application.name == "改名一"
    # A stale decision is refused the same way.
    response = officer_client.post(
        reverse("applications:application_decide", args=[application.pk, "approve"]),
        {"version": stale, "role": "member", "joined_on": TODAY.isoformat()},
        follow=True,
    )
    assert "冲突" in response.content.decode()
    application.refresh_from_db()
    assert application.status == "submitted"


def test_excel_upload_fills_the_rows(client, invitation):
    import io

    from openpyxl import load_workbook

    template = client.get(reverse("applications:members_template"))
    wb = load_workbook(io.BytesIO(template.content))
    ws = wb.active
    ws.append(
        [
            "赵五",
            "女",
            "汉族",
            "110105198001010026",
            "",
            "硕士",
            "2005年7月1日",
            "",
            "外部党委",
            "",
            "",
        ]
    )
    ws.append(
        [
            "钱六",
            "男",
            "汉族",
            "110105194912310021",
            "",
            "本科",
            "2005-07-01",
            "2006-07-01",
            "",
            "",
            "",
        ]
    )
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "members.xlsx"
    response = client.post(
        reverse("applications:apply", args=[invitation.token]),
        {
            **unit_data(),
            "members-TOTAL_FORMS": "0",
            "members-INITIAL_FORMS": "0",
            "import": "1",
            "members_file": out,
        },
    )
    html = response.content.decode()
    assert "读取了 3 行" in html or "3 行" in html
    assert 'value="赵五"' in html and 'value="2005-07-01"' in html
    assert "校验" in html  # the bad ID number of row 3 is flagged beside its field
    assert not Application.objects.filter(name="天津市测试网络协会").exists()


def test_excel_upload_refuses_non_workbooks(client, invitation):
    import io

    fake = io.BytesIO(b"MZ\x90\x00" + b"\x00" * 100)
    fake.name = "members.xlsx"
    html = client.post(
        reverse("applications:apply", args=[invitation.token]),
        {
            **unit_data(),
            "members-TOTAL_FORMS": "0",
            "members-INITIAL_FORMS": "0",
            "import": "1",
            "members_file": fake,
        },
    ).content.decode()
    assert "可执行程序" in html


def test_review_pages_are_scoped(persona_client):
    application = Application.objects.get(name="天津市数字内容创作者协会")
    for persona in ("liaison", "secretary", "instructor", "authority", "expert", "outsider"):
        client = persona_client(persona)
        assert (
            client.get(
                reverse("applications:application_detail", args=[application.pk])
            ).status_code
            == 404
        )
        html = client.get(reverse("applications:application_list")).content.decode()
        assert application.name not in html
        response = client.post(
            reverse("applications:application_decide", args=[application.pk, "approve"]),
            {"version": application.version, "role": "member", "joined_on": TODAY.isoformat()},
        )
        assert response.status_code in (403, 404)
    application.refresh_from_db()
    assert application.status == "submitted"


def test_invitation_links_created_and_withdrawn(officer_client, demo_federation):
    url = reverse("applications:invitation_list")
    response = officer_client.post(
        url,
        {
            "federation": demo_federation.pk,
            "expires_on": (TODAY + datetime.timedelta(days=30)).isoformat(),
            "note": "测试",
        },
    )
    assert response.status_code == 302
    invitation = demo_federation.invitations.get(note="测试")
    html = officer_client.get(url).content.decode()
    assert invitation.token in html
    officer_client.post(reverse("applications:invitation_revoke", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert not invitation.is_open()
    past = officer_client.post(url, {"federation": demo_federation.pk, "expires_on": "2000-01-01"})
    assert "过去" in past.content.decode()


def test_reissued_link_replaces_the_old_one(officer_client, client):
    application = Application.objects.get(name="天津市网络安全志愿者联盟")
    response = officer_client.post(
        reverse("applications:application_reissue", args=[application.pk]), follow=True
    )
    link = re.search(r"/applications/draft/([\w-]+)/", response.content.decode()).group(1)
    page = client.get(reverse("applications:apply_edit", args=[link])).content.decode()
    assert "请补充业务主管单位" in page
