"""Blind review (issue 11, problem 9): a case whose title, sections, figures and captions name the
submitting unit -- in full, by a short form, by its credit code, or by its people -- reaches the
expert with none of them."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from dangjian.cases import services, text
from dangjian.cases.models import Review
from dangjian.registry.models import Membership, Organization

from .conftest import AFTER, BEFORE, _user

UNIT = "天津市互联网协会"
SHORT = "天津互联网协会"
USCC = "91350100M000100Y44"
CONTACT = "王晓红"
AUTHOR_FIRST, AUTHOR_LAST = "志强", "李"


@pytest.fixture
def tianjin_case(world):
    unit = Organization.objects.create(
        name=UNIT,
        uscc=USCC,
        legal_form="social_group",
        category="association",
        contact_name=CONTACT,
    )
    Membership.objects.create(
        federation=world.prov, organization=unit, valid_from=datetime.date(2020, 1, 1)
    )
    liaison = _user("t_tj_liaison", "unit_liaison", organization=unit)
    liaison.first_name, liaison.last_name = AUTHOR_FIRST, AUTHOR_LAST
    liaison.save()
    sub = services.create_submission(
        world.campaign, unit, actor=liaison, title=f"{UNIT}党建工作案例", now=BEFORE
    )
    sections = {
        "案例背景": f"<p>{SHORT}（统一社会信用代码{USCC}）成立于2020年。</p>",
        "主要做法": f"<p>联络员{CONTACT}、{AUTHOR_LAST}{AUTHOR_FIRST}牵头建立支部。</p>",
        "工作成效": "<p>评价良好。</p>",
    }
    services.save_draft(sub, actor=liaison, category="组织建设", sections=sections, now=BEFORE)
    services.add_stated_figure(sub, actor=liaison, label=f"{SHORT}党员人数", value="12", now=BEFORE)
    sub = services.submit(sub, actor=liaison, now=BEFORE)
    services.assign_reviewers(world.campaign, actor=world.owner, now=AFTER)
    return sub


def test_redaction_names_cover_short_forms_credit_code_and_people(tianjin_case):
    names = text.redaction_names(tianjin_case)
    for name in (UNIT, SHORT, USCC, CONTACT, AUTHOR_LAST + AUTHOR_FIRST):
        assert name in names, name


def test_expert_pages_never_name_the_submitting_unit(tianjin_case):
    reviews = Review.objects.filter(submission=tianjin_case).select_related("reviewer")
    assert reviews
    for review in reviews:
        client = Client()
        client.force_login(review.reviewer)
        pages = [
            client.get(reverse("cases:review_list")),
            client.get(reverse("cases:review", args=[review.pk])),
        ]
        for response in pages:
            assert response.status_code == 200
            html = response.content.decode()
            for name in (UNIT, SHORT, USCC, CONTACT, AUTHOR_LAST + AUTHOR_FIRST):
                assert name not in html, name
        assert text.REDACTED in pages[1].content.decode()
        assert "党建工作案例" in pages[1].content.decode()  # the rest of the title stays
