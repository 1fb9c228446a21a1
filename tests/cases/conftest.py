"""A small world of its own for the case collection: a top federation running a campaign, a
provincial federation with one member unit, submitters and three experts."""

import datetime
import io
import zoneinfo
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.access.models import RoleAssignment
from dangjian.cases import services
from dangjian.cases.models import ReviewerProfile
from dangjian.registry.models import Federation, Membership, Organization

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
DEADLINE = datetime.datetime(2030, 1, 15, 18, 0, 0, tzinfo=TZ)
BEFORE = DEADLINE - datetime.timedelta(days=5)
AFTER = DEADLINE + datetime.timedelta(days=1)
UNIT_NAME = "测试甲市网络安全促进会"


@pytest.fixture
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _user(username, role=None, **scope):
    user = get_user_model().objects.create_user(username, password="Test-password-2026")
    if role:
        RoleAssignment.objects.create(
            user=user, role=role, valid_from=datetime.date(2020, 1, 1), **scope
        )
    return user


@pytest.fixture
def world(db, media_in_tmp):
    top = Federation.objects.create(name="测试全国联合会", level="national")
    prov = Federation.objects.create(
        name="测试甲省网络社会组织联合会", short_name="甲网联", level="provincial", parent=top
    )
    other = Federation.objects.create(
        name="测试乙省网络社会组织联合会", level="provincial", parent=top
    )
    unit = Organization.objects.create(
        name=UNIT_NAME, legal_form="social_group", category="association"
    )
    Membership.objects.create(
        federation=prov, organization=unit, valid_from=datetime.date(2020, 1, 1)
    )
    w = SimpleNamespace(top=top, prov=prov, other=other, unit=unit)
    w.owner = _user("t_owner", "federation_officer", federation=top)
    w.liaison = _user("t_liaison", "unit_liaison", organization=unit)
    w.prov_officer = _user("t_prov", "federation_officer", federation=prov)
    w.other_officer = _user("t_other", "federation_officer", federation=other)
    w.experts = [_user(f"t_expert{i}", "expert_reviewer") for i in range(4)]
    # t_expert0 belongs to the provincial federation: never on its cases.
    ReviewerProfile.objects.create(user=w.experts[0], federation=prov)
    ReviewerProfile.objects.create(user=w.experts[1], federation=other)
    # t_expert2 and t_expert3 are declared independent (no unit, no federation).
    ReviewerProfile.objects.create(user=w.experts[2])
    ReviewerProfile.objects.create(user=w.experts[3])
    w.campaign = services.create_campaign(
        top,
        actor=w.owner,
        year=2030,
        title="测试案例征集",
        call_text="征集说明",
        categories=["组织建设", "活动创新"],
        sections=["案例背景", "主要做法", "工作成效"],
        deadline=DEADLINE,
        section_word_limit=200,
        total_word_limit=500,
        reviewers_per_submission=2,
        selection_quota=1,
        borderline_margin=1,
    )
    return w


SECTIONS = {
    "案例背景": f"<p>{UNIT_NAME}成立于2020年。</p>",
    "主要做法": "<p>建立支部，开展主题党日。</p>",
    "工作成效": "<p>甲网联评价良好。</p>",
}


def write_case(w, submitter, actor, *, title="测试案例", submit=True, sections=SECTIONS):
    sub = services.create_submission(w.campaign, submitter, actor=actor, title=title, now=BEFORE)
    services.save_draft(sub, actor=actor, category="组织建设", sections=sections, now=BEFORE)
    if submit:
        sub = services.submit(sub, actor=actor, now=BEFORE)
    return sub


def make_docx(text: str, author: str = "") -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    table = document.add_table(rows=1, cols=1)
    table.cell(0, 0).text = text
    document.sections[0].header.paragraphs[0].text = text
    document.core_properties.author = author
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def upload(data: bytes, name: str, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)
