"""Organizational life recorded the new way in the demo secretary's branch (天津市互联网金融协会党支部).

Last month's 主题党日 gets its full record through the services — times, place, chair,
recorder, minutes, a photo, two members signed in by QR code, one absent on personal leave;
this month a 支部党员大会 that only half of the voters attended is recorded as held but does
not count (so the workspace shows why); a 党课 is planned for next week. The running month's
主题党日 is left for the newcomer to plan (the demo's story: plan, sign in by QR, record).

A few records that cannot be faked quietly, for the integrity rules to find (PROBLEMS in
demo/tianjin_data.py): a study session's minutes copied by another branch, which also reused
the finance branch's photo; a member present at two overlapping meetings in different places;
QR sign-ins made hours before the time the record gives; a record written 45 days late.
"""

from __future__ import annotations

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from dangjian.demo import minutes_text
from dangjian.demo.tianjin_data import COMMITTEE_NAME, SECRETARY_BRANCH
from dangjian.orglife import services, signin
from dangjian.orglife.models import Attendance, Meeting
from dangjian.orglife.queries import expected_attendees
from dangjian.party.models import PartyOrganization, Position

K = Meeting.Kind
PRESENT, ABSENT = str(Attendance.Status.PRESENT), str(Attendance.Status.ABSENT)

THEME_MINUTES = """<p>会议由支部书记主持，传达学习上级党组织关于加强网络社会组织党建工作的部署。</p>
<p>与会党员结合协会行业自律工作交流了学习体会，围绕“网络金融消费者权益保护”开展志愿宣传活动的分工作了讨论。</p>
<ul><li>活动时间：本月第三周周六上午</li><li>活动地点：河西区友谊路社区服务中心</li></ul>
<p>会议要求全体党员做好宣传材料准备，按时参加活动。</p>"""

GENERAL_MINUTES = """<p>会议拟讨论支部年度工作要点。应到有表决权的党员 %(expected)d 名，实到 %(present)d 名，未超过半数。</p>
<p>支部书记说明：本次会议到会人数不足，不作出决议，另行择期召开支部党员大会。</p>"""


def _local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour, minute), timezone.get_current_timezone()
    )


def _picture(rng) -> Image.Image:
    """A stand-in for a group photo: a gradient with a few coloured blocks (a flat picture
    would look like every other flat picture to the perceptual hash)."""
    image = Image.new("RGB", (640, 400))
    draw = ImageDraw.Draw(image)
    for y in range(400):
        draw.line([(0, y), (639, y)], fill=(150 + y // 8, 40 + y // 5, 30))
    for _ in range(12):
        x, y = rng.randrange(0, 560), rng.randrange(0, 320)
        w, h = rng.randrange(20, 80), rng.randrange(30, 80)
        shade = rng.randrange(0, 256)
        draw.rectangle([x, y, x + w, y + h], fill=(shade, 255 - shade, rng.randrange(0, 256)))
    return image


def _photo(image: Image.Image, name: str = "主题党日合影.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def build(federation, today: datetime.date, rng) -> None:
    branch = PartyOrganization.objects.filter(federation=federation, name=SECRETARY_BRANCH).first()
    if branch is None:
        return
    posts = {
        p.role: p.member
        for p in Position.objects.filter(party_organization=branch, valid_to__isnull=True)
    }
    secretary = posts.get(Position.Role.SECRETARY)
    deputy = posts.get(Position.Role.DEPUTY_SECRETARY, secretary)
    picture = _picture(rng)
    _theme_day_last_month(branch, today, secretary, deputy, picture)
    _general_meeting_without_quorum(branch, today, secretary, deputy)
    services.plan_meeting(
        branch,
        {
            "kind": K.PARTY_LESSON,
            "held_on": today + datetime.timedelta(days=7),
            "starts_at": datetime.time(15, 0),
            "ends_at": datetime.time(16, 30),
            "place": "协会会议室",
            "topic": "书记讲党课：网络社会组织的责任与担当",
            "chair": secretary,
            "recorder": deputy,
        },
        actor=None,
        note="demo",
    )
    _records_to_check(federation, today, rng, picture)


def _theme_day_last_month(branch, today, secretary, deputy, picture) -> None:
    first = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    meeting = (
        Meeting.objects.filter(
            party_organization=branch,
            kind=K.THEME_DAY,
            held_on__gte=first,
            held_on__lt=today.replace(day=1),
        )
        .order_by("held_on")
        .first()
    )
    if meeting is None:
        return
    services.edit_meeting(
        meeting,
        {"starts_at": datetime.time(14, 30), "ends_at": datetime.time(16, 30)},
        version=meeting.version,
        actor=None,
        note="demo",
    )
    meeting.refresh_from_db()
    expected = expected_attendees(meeting)
    # Two members signed in on their phones as they came in, a few minutes before the start.
    for i, e in enumerate(expected[:2]):
        at = _local(meeting.held_on, 14, 24 + 3 * i)
        services.sign_in(
            meeting,
            e.member,
            signin.token(meeting.pk, signin.step_of(at)),
            actor=None,
            now=at,
        )
    marks = {e.member.pk: {"status": PRESENT} for e in expected}
    if len(expected) > 3:
        marks[expected[-1].member.pk] = {
            "status": ABSENT,
            "reason": str(Attendance.Reason.PERSONAL),
        }
    meeting.refresh_from_db()
    services.record_held(
        meeting,
        {
            "topic": meeting.topic or "主题党日：网络金融消费者权益保护志愿宣传",
            "place": "协会会议室（河西区）",
            "chair": secretary,
            "recorder": deputy,
            "minutes": THEME_MINUTES,
        },
        version=meeting.version,
        marks=marks,
        actor=None,
        note="demo",
    )
    services.add_attachment(meeting, _photo(picture), actor=None)


def _general_meeting_without_quorum(branch, today, secretary, deputy) -> None:
    day = today.replace(day=1)
    meeting = services.plan_meeting(
        branch,
        {
            "kind": K.GENERAL_MEETING,
            "held_on": day,
            "starts_at": datetime.time(9, 30),
            "ends_at": datetime.time(11, 0),
            "place": "协会会议室（河西区）",
            "topic": "讨论支部年度工作要点",
            "chair": secretary,
            "recorder": deputy,
        },
        actor=None,
        note="demo",
    )
    expected = expected_attendees(meeting)
    # The chair and the recorder came, and others up to exactly half: not more than half.
    leaders = {getattr(secretary, "pk", None), getattr(deputy, "pk", None)}
    order = sorted(expected, key=lambda e: e.member.pk not in leaders)
    half = len(expected) // 2
    marks = {
        e.member.pk: {"status": PRESENT}
        if i < half
        else {"status": ABSENT, "reason": str(Attendance.Reason.OFFICIAL)}
        for i, e in enumerate(order)
    }
    services.record_held(
        meeting,
        {"minutes": GENERAL_MINUTES % {"expected": len(expected), "present": half}},
        version=meeting.version,
        marks=marks,
        resolutions=[],
        actor=None,
        note="demo",
    )


# -- records the integrity rules find -------------------------------------------------------------


def _branch(federation, name):
    return PartyOrganization.objects.filter(federation=federation, name=name).first()


def _held(org, day, start, end, place, topic, minutes, *, before_record=None) -> Meeting:
    """A study session planned for ``day`` and recorded as held now, every member expected
    marked present (``before_record(meeting)`` runs in between: QR sign-ins)."""
    meeting = services.plan_meeting(
        org,
        {
            "kind": K.STUDY,
            "held_on": day,
            "starts_at": start,
            "ends_at": end,
            "place": place,
            "topic": topic,
        },
        actor=None,
        note="demo",
    )
    if before_record is not None:
        before_record(meeting)
        meeting.refresh_from_db()
    marks = {e.member.pk: {"status": PRESENT} for e in expected_attendees(meeting)}
    return services.record_held(
        meeting,
        {"minutes": minutes},
        version=meeting.version,
        marks=marks,
        actor=None,
        note="demo",
    )


def _records_to_check(federation, today, rng, picture) -> None:
    internet = _branch(federation, "天津市互联网协会党支部")
    media = _branch(federation, "天津市文化传媒商会党支部")
    bigdata = _branch(federation, "天津市大数据协会党支部")
    security = _branch(federation, "天津市网络安全协会党支部")
    committee = _branch(federation, COMMITTEE_NAME)
    if None in (internet, media, bigdata, security, committee):
        return
    T = datetime.time
    day = today - datetime.timedelta(days=3)

    def minutes(org, on):
        return minutes_text.compose(rng, org=org.name, kind="study", day=on)

    # (1) The internet branch's study session, and a member of it recorded the same afternoon
    # at the party committee's session across the city (imported from an attendance ledger).
    first = _held(
        internet,
        day,
        T(14, 30),
        T(16, 30),
        "互联网协会会议室（和平区）",
        "学习网络生态治理有关规定",
        minutes(internet, day),
    )
    second = _held(
        committee,
        day,
        T(15, 0),
        T(17, 0),
        "滨海新区会员单位会议室",
        "行业党委专题学习",
        minutes(committee, day),
    )
    someone = first.attendance.filter(status=PRESENT).order_by("member__name").first()
    if someone is not None:
        services.record_attendance_bulk(
            [
                {
                    "meeting": second,
                    "member_id": someone.member_id,
                    "role": Attendance.Role.GUEST,
                    "status": PRESENT,
                }
            ],
            actor=None,
            note="demo",
        )
    # (2) The media branch's record two days later: the internet branch's minutes with the
    # names and the date changed, and the finance branch's photo again.
    later = today - datetime.timedelta(days=1)
    copied = _held(
        media,
        later,
        T(9, 0),
        T(10, 30),
        "商会会议室（南开区）",
        "学习网络生态治理有关规定",
        minutes_text.copy_with_edits(
            rng, first.minutes, org_from=internet.name, org_to=media.name, day=later
        ),
    )
    services.add_attachment(copied, _photo(picture.resize((600, 375)), "学习合影.jpg"), actor=None)

    # (3) The big-data branch: two members signed in by QR at 14:25, and the record then gave
    # the meeting's time as 19:00–20:30.
    def signed_early(meeting):
        for i, e in enumerate(expected_attendees(meeting)[:2]):
            at = _local(meeting.held_on, 14, 25 + i)
            services.sign_in(
                meeting, e.member, signin.token(meeting.pk, signin.step_of(at)), actor=None, now=at
            )
        services.edit_meeting(
            meeting,
            {"starts_at": T(19, 0), "ends_at": T(20, 30)},
            version=Meeting.objects.get(pk=meeting.pk).version,
            actor=None,
            note="demo",
        )

    quiet = today - datetime.timedelta(days=5)
    _held(
        bigdata,
        quiet,
        T(14, 30),
        T(16, 0),
        "大数据协会会议室",
        "数据安全法学习",
        minutes(bigdata, quiet),
        before_record=signed_early,
    )
    # (4) The security branch's session, planned 45 days ago and recorded only today.
    old = today - datetime.timedelta(days=45)
    _held(
        security,
        old,
        T(9, 30),
        T(11, 0),
        "网络安全协会会议室",
        "网络安全宣传周工作部署",
        minutes(security, old),
    )
