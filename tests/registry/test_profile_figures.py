"""Report figures for report roles (issue 17, point 6): a viewer who may see a unit but not its
people (the supervising unit's authority viewer) sees the unit's count of full members,
computed by the one definition over every member, without the list behind it."""

import pytest
from django.urls import reverse

from dangjian.party.models import Employment
from dangjian.registry.models import Organization

pytestmark = pytest.mark.django_db
LIVE = "天津市网络直播行业协会"  # the demo's 应建未建 unit: 4 full members employed


def test_the_authority_sees_the_count_not_the_members(persona_client):
    unit = Organization.objects.get(name=LIVE)
    url = reverse("registry:organization_detail", args=[unit.pk])
    names = set(Employment.objects.filter(organization=unit).values_list("member__name", flat=True))
    html = persona_client("authority").get(url).content.decode()
    # It used to read "现有正式党员 0 名": the count was taken over the members it may list.
    assert "现有正式党员 4 名" in html
    assert "您的角色只能查看人数，不能查看党员名单。" in html
    assert not any(name in html for name in names)
    officer = persona_client("officer").get(url).content.decode()
    assert "现有正式党员 4 名" in officer and all(name in officer for name in names)
