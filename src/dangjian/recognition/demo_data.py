"""The recognition app's part of the demo: an honour, an exemplary individual and a work shown
on a national platform (the liaison and demonstration points come with the core demo)."""

import datetime

from dangjian.party.models import Employment
from dangjian.recognition import services
from dangjian.registry.models import Organization


def build(federation, today, rng):
    internet = Organization.objects.get(name="天津市互联网协会")
    media = Organization.objects.get(name="天津市文化传媒商会")
    services.record_recognition(
        {
            "kind": "honour",
            "organization": internet,
            "title": "全市先进社会组织",
            "level": "city",
            "granted_by": "天津市民政局",
            "granted_on": datetime.date(2021, 6, 28),
            "certificate_no": "津民荣〔2021〕15号",
        },
        actor=None,
    )
    member = (
        Employment.objects.filter(organization=internet, member__full_member_on__isnull=False)
        .select_related("member")
        .order_by("member__name")
        .first()
        .member
    )
    services.record_recognition(
        {
            "kind": "individual",
            "organization": internet,
            "title": "优秀共产党员",
            "person_name": member.name,
            "member": member,
            "level": "city",
            "granted_by": "天津市互联网行业党委",
            "granted_on": datetime.date(2023, 6, 30),
        },
        actor=None,
    )
    services.record_recognition(
        {
            "kind": "work",
            "organization": media,
            "title": "短视频《网络空间的红色印记》",
            "level": "national",
            "granted_by": "中国网络社会组织联合会",
            "granted_on": datetime.date(2024, 7, 1),
            "url": "https://www.example.org/works/2024-07",
        },
        actor=None,
    )
