"""The joining workflow's part of the demo: an invitation link, one application waiting for
review (a unit with 3 full members, so approving it opens a formation case) and one returned
for correction. Both stay pending, so the rules find nothing new in the demo."""

import datetime

from dangjian.applications import services
from dangjian.demo import identity
from dangjian.registry.models import Organization

DISTRICT_AREA = "120000"


def _member(rng, name, male, birth_year, joined_year, full=True):
    birth = datetime.date(birth_year, rng.randrange(1, 13), rng.randrange(1, 29))
    joined = datetime.date(joined_year, 7, 1)
    return {
        "name": name,
        "gender": "male" if male else "female",
        "ethnicity": "汉族",
        "id_number": identity.id_number(rng, birth, male),
        "phone": identity.phone(rng),
        "education": "bachelor",
        "joined_party_on": joined,
        "full_member_on": joined.replace(year=joined.year + 1) if full else None,
        "relation_held_by": "天津市非公有制经济组织综合党委",
        "job_title": "",
        "employed_since": None,
    }


def build(federation, today, rng):
    invitation = services.create_invitation(
        federation,
        expires_on=today + datetime.timedelta(days=180),
        note="2026年度会员发展",
        actor=None,
    )
    waiting = {
        "name": "天津市数字内容创作者协会",
        "uscc": identity.social_credit_code(rng, "51", DISTRICT_AREA),
        "legal_form": Organization.LegalForm.SOCIAL_GROUP,
        "category": Organization.Category.ASSOCIATION,
        "district": "河西区",
        "supervising_unit": "天津市委网信办",
        "registration_authority": "天津市民政局",
        "founded_on": datetime.date(2021, 5, 18),
        "registered_address": "天津市河西区友谊路35号",
        "contact_name": "孙立新",
        "contact_phone": identity.phone(rng),
        "requested_role": "member",
        "statement": "本会自愿申请加入天津市网络社会组织联合会，遵守联合会章程。",
    }
    members = [
        _member(rng, "周明远", True, 1985, 2008),
        _member(rng, "吴晓琳", False, 1990, 2013),
        _member(rng, "郑国华", True, 1979, 2002),
        _member(rng, "冯佳怡", False, today.year - 26, today.year, full=False),
    ]
    application, _token = services.start_application(invitation, waiting, members, actor=None)
    services.submit_application(application, version=application.version, actor=None)

    returned = {
        **waiting,
        "name": "天津市网络安全志愿者联盟",
        "uscc": identity.social_credit_code(rng, "51", DISTRICT_AREA),
        "district": "南开区",
        "founded_on": datetime.date(2022, 9, 6),
        "registered_address": "天津市南开区卫津路92号",
        "contact_name": "钱文博",
        "contact_phone": identity.phone(rng),
        "statement": "",
    }
    application, _token = services.start_application(
        invitation, returned, [_member(rng, "王海涛", True, 1988, 2012)], actor=None
    )
    application = services.submit_application(application, version=application.version, actor=None)
    services.return_application(
        application,
        version=application.version,
        reason="请补充业务主管单位的审查意见，并核对法定代表人信息。",
        actor=None,
    )
