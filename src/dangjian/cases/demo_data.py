"""Demo of the case collection: the national federation's 2019 campaign, reviewed and published,
and an open campaign of the current year.

The Tianjin case is written here in the project's own words from the facts of the published 2019
case; the other cases are invented. Two provincial federations are added as submitters (no member
units, no party organizations: nothing for the rules to find) so that conflict-of-interest
exclusion has something to exclude. Sign-ins added here (demo only): ``national`` (officer of the
national federation), ``expert2`` and ``expert3`` (expert reviewers; ``expert`` is a persona).
"""

from __future__ import annotations

import datetime
import io
import zoneinfo
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image, ImageDraw

from dangjian.access.models import RoleAssignment, UserSecurity
from dangjian.registry.models import Federation, Organization
from dangjian.registry.services import create_federation

from . import services
from .models import Campaign, Review, ReviewerProfile

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
EXTRA_USERS = [
    # (username, password, title, role)
    (
        "national",
        "Dangjian-national-2026",
        "中国网络社会组织联合会党建工作负责人",
        "federation_officer",
    ),
    ("expert2", "Dangjian-expert-2026", "评审专家（江东省）", "expert_reviewer"),
    ("expert3", "Dangjian-expert-2026", "评审专家（西川省）", "expert_reviewer"),
]

CALL = (
    "为总结交流网络社会组织党建工作的经验，中国网络社会组织联合会面向各地网络社会组织联合会和"
    "会员单位征集2019年度党建工作案例。案例应围绕党的组织覆盖和工作覆盖、组织生活、"
    "服务发展等方面，写清背景、做法和成效，所引数字注明时间。经专家评审选出的案例将分期刊发。"
)

TIANJIN: dict[str, Any] = {
    "title": "党建与联合会同步起步　“三个同步”扩大网信领域覆盖",
    "category": "组织建设",
    "sections": {
        "案例背景": (
            "<p>天津市网络社会组织联合会（简称津网联）在市委网信办的指导下于2018年10月30日成立，"
            "把本市从事网信工作的社会团体和民办非企业单位联合在一起，承担服务和引导会员的枢纽职能。"
            "到2019年，加入联合会的会员单位共有33家，既有行业协会、商会，也有学会和研究机构，"
            "工作方向分布在网络内容建设、网络安全与信息化、智能科技等领域。</p>"
            "<p>网络社会组织普遍成立晚、人员流动快、党员分散，党建工作起步难。"
            "联合会从筹建时就把党的建设和业务发展放在一起谋划。</p>"
        ),
        "主要做法": (
            "<p><strong>一是党的组织与联合会同一天起步。</strong>筹建期间，市委网信办与市委组织部商定，"
            "天津市互联网行业党委和联合会同时成立。行业党委既管联合会自身的党建，"
            "也负责指导全市网信领域“两新”组织的党建，过去无人牵头的领域从此有了明确的责任主体。</p>"
            "<p><strong>二是按实际情况选择组建方式。</strong>根据会员单位党员多少和所处情况，分四种办法推进："
            "党员够数的单位在本单位建立支部；依托联合会理事会建立支部，覆盖党员较少的理事单位；"
            "借助业务主管部门把几家小型单位联合起来建立联合党支部；暂不具备条件的，"
            "由行业党委派出党建工作指导员帮助推动。</p>"
            "<p><strong>三是入会环节做到“三个同步”。</strong>社会组织申请入会时，一并登记其员工中的党员信息，"
            "纳入党员台账；对符合条件的一并推动成立党组织，以批准文件、书记人选、指导员派驻通知和"
            "覆盖单位清单四项齐全作为验收标准；一并把党建情况列入年度检查和等级评估，"
            "结合走访掌握会员单位的真实状态，对长期不活动的社团和有名无实的支部提出处理建议，"
            "报送业务主管部门和登记管理机关。</p>"
        ),
        "工作成效": (
            "<p>一年来，会员单位党的组织覆盖和工作覆盖的质量明显提升。"
            "据联合会掌握的情况，全市非公有制互联网企业的党组织覆盖率已达到93%。</p>"
            "<p>互联网金融协会党支部、文化传媒商会党支部在主题教育中被评为示范点，"
            "联合会同时建立直接联系点制度，以“联系点＋示范点”带动其他支部规范开展“三会一课”和主题党日。</p>"
            "<p>2019年6月28日，联合会与市委网信办、行业党委共同举办了一场大型视听党课，"
            "会员单位的党员和业务骨干集中参加，反响良好。</p>"
        ),
    },
    "editor_note": (
        "网络社会组织党员分散、流动性强，组织覆盖一直是难点。我们在2019年度案例征集的基础上，"
        "请党建专家评审选出一批有代表性的做法，分期刊发，供各地交流参考。"
        "本期介绍天津市网络社会组织联合会从成立之初就同步抓党建的做法。"
    ),
}

OTHERS: list[dict[str, Any]] = [
    {
        "who": ("org", "天津市互联网金融协会"),
        "title": "示范点支部带动行业规范经营",
        "category": "活动创新",
        "sections": {
            "案例背景": "<p>协会会员多为互联网金融服务机构，从业人员年轻、党员分散在不同企业。</p>",
            "主要做法": (
                "<p>支部把主题党日放到会员企业的一线，结合风险提示和消费者教育开展活动，"
                "每季度组织一次党员业务骨干交流。</p>"
            ),
            "工作成效": "<p>支部在2019年被评为党建工作示范点，参与活动的会员企业明显增多。</p>",
        },
        "scores": {"expert": 8.6, "expert2": 7.4, "expert3": 8.0},
        "editor_note": "本期介绍一个行业协会党支部把组织生活与行业服务结合起来的做法。",
    },
    {
        "who": ("fed", "江东省网络社会组织联合会"),
        "title": "派驻党建工作指导员破解小微组织组建难题",
        "category": "组织建设",
        "sections": {
            "案例背景": "<p>全省网络社会组织中不少单位只有一两名党员甚至没有党员，难以单独建立党组织。</p>",
            "主要做法": "<p>联合会会同主管部门选派党建工作指导员，一对多联系小微组织，帮助发展积极分子。</p>",
            "工作成效": "<p>一年内指导员联系的组织全部实现党的工作覆盖，其中两家具备了组建条件。</p>",
        },
        "scores": {"expert": 8.4, "expert3": 8.2},
        "editor_note": "本期介绍通过选派党建工作指导员扩大工作覆盖的做法。",
    },
    {
        "who": ("fed", "西川省网络社会组织联合会"),
        "title": "按领域组建联合党支部",
        "category": "组织建设",
        "sections": {
            "案例背景": "<p>省内网络社会组织规模小、分布散，单独组建条件普遍不足。</p>",
            "主要做法": "<p>按网络内容、网络安全等领域，把相近的几家组织编入联合党支部，轮流承办组织生活。</p>",
            "工作成效": "<p>联合党支部按期开展“三会一课”，党员参加组织生活的比例明显提高。</p>",
        },
        "scores": {"expert": 7.6, "expert2": 6.8},
    },
    {
        "who": ("org", "天津市大数据协会"),
        "title": "入会即采集　党员台账从第一天建起",
        "category": "基础保障",
        "sections": {
            "案例背景": "<p>协会2019年申请加入联合会，当时尚未建立党组织。</p>",
            "主要做法": "<p>申请入会时同步填报员工中的党员信息，党建工作指导员随即进驻，帮助筹备组建支部。</p>",
            "工作成效": "<p>当年即建立党支部，党员信息全部进入台账。</p>",
        },
        "scores": {"expert": 8.0, "expert2": 7.0, "expert3": 7.6},
    },
]
TIANJIN_SCORES = {"expert": 9.2, "expert2": 8.2, "expert3": 8.8}


def _at(y, m, d, h=10):
    return datetime.datetime(y, m, d, h, tzinfo=TZ)


def _photo() -> SimpleUploadedFile:
    """A drawn picture standing in for the party lesson's photo (no text: no font needed)."""
    img = Image.new("RGB", (960, 540), (179, 20, 12))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 380, 960, 540), fill=(120, 10, 8))
    for i in range(12):
        x = 60 + i * 75
        draw.ellipse((x, 300, x + 50, 350), fill=(40, 30, 30))
        draw.rectangle((x + 5, 350, x + 45, 420), fill=(40, 30, 30))
    draw.rectangle((180, 60, 780, 200), fill=(250, 220, 120))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80)
    return SimpleUploadedFile("photo.jpg", out.getvalue(), content_type="image/jpeg")


def _users(national: Federation, provinces: dict[str, Federation]):
    User = get_user_model()
    users = {"expert": User.objects.get(username="expert")}
    # Like the personas: a forced password change outside demo mode, unless the caller said not.
    persona = UserSecurity.objects.filter(user=users["expert"]).first()
    must_change = persona.must_change_password if persona else True
    for username, password, title, role in EXTRA_USERS:
        user = User.objects.create_user(username, password=password, first_name=title)
        UserSecurity.objects.update_or_create(
            user=user, defaults={"must_change_password": must_change}
        )
        RoleAssignment.objects.create(
            user=user,
            role=role,
            federation=national if role == "federation_officer" else None,
            valid_from=datetime.date(2018, 10, 30),
        )
        users[username] = user
    # Affiliations: the conflict-of-interest rule keeps expert2 and expert3 from their provinces.
    ReviewerProfile.objects.create(user=users["expert"], federation=national)
    ReviewerProfile.objects.create(user=users["expert2"], federation=provinces["江东"])
    ReviewerProfile.objects.create(user=users["expert3"], federation=provinces["西川"])
    return users


def _write(campaign, submitter, spec, actor, *, image=False, as_of=None, stated=()):
    written = _at(2019, 10, 20)
    sub = services.create_submission(
        campaign,
        submitter,
        actor=actor,
        title=spec["title"],
        category=spec["category"],
        now=written,
    )
    services.save_draft(sub, actor=actor, sections=spec["sections"], now=written)
    if as_of:
        services.pull_figures(sub, as_of, actor=actor, now=written)
    for label, value in stated:
        services.add_stated_figure(sub, actor=actor, label=label, value=value, now=written)
    if image:
        services.add_image(
            sub,
            _photo(),
            actor=actor,
            caption="联合会举办“永远跟党走”大型视听党课",
            taken_on=datetime.date(2019, 6, 28),
            now=written,
        )
    return services.submit(sub, actor=actor, now=_at(2019, 11, 8))


@transaction.atomic
def build(federation: Federation, today: datetime.date, rng) -> None:
    national = federation.parent
    assert national is not None, "the demo federation sits under the national one"
    provinces = {}
    for short, name in (("江东", "江东省网络社会组织联合会"), ("西川", "西川省网络社会组织联合会")):
        provinces[short] = create_federation(
            {
                "name": name,
                "short_name": f"{short}网联",
                "level": Federation.Level.PROVINCIAL,
                "parent": national,
                "region": f"{short}省",
            },
            actor=None,
        )
    users = _users(national, provinces)
    officer = users["national"]
    campaign = services.create_campaign(
        national,
        actor=officer,
        year=2019,
        title="2019年度全国网络社会组织党建工作案例征集",
        call_text=CALL,
        categories=["组织建设", "活动创新", "基础保障", "服务发展"],
        sections=["案例背景", "主要做法", "工作成效"],
        deadline=_at(2019, 11, 15, 18),
        section_word_limit=1500,
        total_word_limit=4000,
        reviewers_per_submission=3,
        selection_quota=3,
        borderline_margin=1,
        series_title="2019年度网络社会组织党建工作典型案例",
    )
    tianjin_officer = get_user_model().objects.get(username="officer")
    liaison = get_user_model().objects.get(username="liaison")
    # Each case's scores by expert and the note it is published with.
    subs: dict[int, tuple[dict[str, float], str | None]] = {}
    tj = _write(
        campaign,
        federation,
        TIANJIN,
        tianjin_officer,
        image=True,
        as_of=datetime.date(2019, 10, 31),
        stated=[("全市非公有制互联网企业党组织覆盖率", "93%")],
    )
    subs[tj.pk] = (TIANJIN_SCORES, TIANJIN["editor_note"])
    for spec in OTHERS:
        kind, name = spec["who"]
        submitter: Organization | Federation
        if kind == "org":
            submitter = Organization.objects.get(name=name)
            actor = liaison if name == "天津市互联网协会" else tianjin_officer
        else:
            submitter = Federation.objects.get(name=name)
            actor = officer
        sub = _write(campaign, submitter, spec, actor)
        subs[sub.pk] = (spec["scores"], spec.get("editor_note"))
    services.assign_reviewers(campaign, actor=officer, now=_at(2019, 11, 18))
    for review in Review.objects.filter(submission__campaign=campaign).select_related("reviewer"):
        scores, _ = subs[review.submission_id]
        value = scores[review.reviewer.username]
        services.save_review(
            review,
            actor=review.reviewer,
            scores={c["key"]: value for c in campaign.rubric},
            comment="做法具体，数字有出处。" if value >= 8.5 else "思路清楚，成效可再具体。",
            complete=True,
            now=_at(2019, 11, 28),
        )
    ranked = services.ranking(campaign)
    for number, row in enumerate(ranked[: campaign.selection_quota], start=1):
        sub = campaign.submissions.get(pk=row.submission)
        note = subs[sub.pk][1] or "本期介绍一个网络社会组织党建工作案例。"
        services.select_case(sub, actor=officer, editor_note=note, number=number)
    services.publish_campaign(campaign, actor=officer, now=_at(2019, 12, 10))
    # This year's call, open for drafts.
    services.create_campaign(
        national,
        actor=officer,
        year=today.year,
        title=f"{today.year}年度全国网络社会组织党建工作案例征集",
        call_text=CALL.replace("2019", str(today.year)),
        categories=["组织建设", "活动创新", "基础保障", "服务发展"],
        deadline=datetime.datetime.combine(
            today + datetime.timedelta(days=60), datetime.time(18), tzinfo=TZ
        ),
        stage=Campaign.Stage.OPEN,
    )
