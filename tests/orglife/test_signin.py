"""QR sign-in: a code that rotates every 30 seconds, good for the current and the previous
step; only members expected, only within the meeting's window; a retry counts nobody twice."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.core.errors import WorkflowError
from dangjian.core.models import AuditLog
from dangjian.orglife import services, signin
from dangjian.orglife.models import Attendance, Meeting

TODAY = timezone.localdate()


def at(hour, minute=0, second=0):
    return datetime.datetime.combine(
        TODAY, datetime.time(hour, minute, second), timezone.get_current_timezone()
    )


@pytest.fixture
def meeting(world):
    return services.plan_meeting(
        world.branch,
        {
            "kind": Meeting.Kind.THEME_DAY,
            "held_on": TODAY,
            "starts_at": datetime.time(14, 0),
            "ends_at": datetime.time(16, 0),
            "place": "会议室",
            "topic": "主题党日",
        },
        actor=world.secretary_user,
    )


def code(meeting, when):
    return signin.token(meeting.pk, signin.step_of(when))


def test_the_code_of_this_and_the_previous_step_are_good_an_older_one_not(meeting):
    now = at(14, 10, 15)
    assert signin.token_is_fresh(meeting, code(meeting, now), now)
    assert signin.token_is_fresh(meeting, code(meeting, now - datetime.timedelta(seconds=30)), now)
    assert not signin.token_is_fresh(
        meeting, code(meeting, now - datetime.timedelta(seconds=60)), now
    )
    # Another meeting's code, taken at the same moment, is not this one's.
    assert signin.token(meeting.pk + 1, signin.step_of(now)) != code(meeting, now)


def test_a_member_signs_in_with_the_time(world, meeting):
    member = world.full[3]
    now = at(13, 45)  # the window opens 30 minutes before 14:00
    row, created = services.sign_in(meeting, member, code(meeting, now), actor=None, now=now)
    assert created and row.status == Attendance.Status.PRESENT
    assert row.method == Attendance.Method.QR and row.signed_at == now
    assert row.role == Attendance.Role.VOTER


def test_a_retried_sign_in_counts_once(world, meeting):
    member, now = world.probationary[0], at(14, 5)
    first, created = services.sign_in(meeting, member, code(meeting, now), actor=None, now=now)
    later = now + datetime.timedelta(seconds=20)
    again, created_again = services.sign_in(
        meeting, member, code(meeting, later), actor=None, now=later
    )
    assert created and not created_again and again.pk == first.pk
    assert again.signed_at == now
    assert Attendance.objects.filter(meeting=meeting, member=member).count() == 1


@pytest.mark.parametrize(
    ("who", "when", "age", "message"),
    [
        ("guest", at(14, 5), 0, "不在本次会议的应到人员名单中"),
        ("voter", at(14, 5), 61, "二维码已失效"),
        ("voter", at(13, 29), 0, "现在不在签到时间内"),
        ("voter", at(16, 0, 1), 0, "现在不在签到时间内"),
        ("nobody", at(14, 5), 0, "只有党员本人的账号才能扫码签到"),
    ],
)
def test_refusals_are_in_chinese_and_audited(world, meeting, who, when, age, message):
    member = {"guest": world.guest, "voter": world.full[2], "nobody": None}[who]
    token = code(meeting, when - datetime.timedelta(seconds=age))
    with pytest.raises(WorkflowError) as exc:
        services.sign_in(meeting, member, token, actor=None, now=when)
    assert message in str(exc.value)
    assert not Attendance.objects.filter(meeting=meeting).exists()
    assert AuditLog.objects.filter(
        event_type="orglife.sign_in_refused", object_id=str(meeting.pk)
    ).exists()


def test_the_window_closes_at_the_end_and_opens_by_the_rulebook(meeting):
    opens, closes = signin.window(meeting)
    assert (opens, closes) == (at(13, 30), at(16, 0))


def test_a_sign_in_after_the_record_updates_its_numbers(world, meeting):
    """A member who signs in late (within the window), after the secretary saved the record
    with them absent, is counted present: the numbers are settled again."""
    marks = {
        e.pk: {"status": Attendance.Status.PRESENT} for e in [*world.full, *world.probationary]
    }
    marks[world.full[5].pk] = {"status": Attendance.Status.ABSENT, "reason": "personal"}
    recorded = services.record_held(
        meeting, {"minutes": "记录"}, version=meeting.version, marks=marks, actor=None
    )
    assert recorded.present_count == 7
    now = at(15, 30)
    services.sign_in(meeting, world.full[5], code(meeting, now), actor=None, now=now)
    recorded.refresh_from_db()
    assert recorded.present_count == 8


# -- the pages --------------------------------------------------------------------------------


@pytest.fixture
def all_day(world):
    """A meeting today open for signing in all day (the test does not know the clock)."""
    return services.plan_meeting(
        world.branch,
        {
            "kind": Meeting.Kind.THEME_DAY,
            "held_on": TODAY,
            "starts_at": datetime.time(0, 0),
            "ends_at": datetime.time(23, 59),
            "place": "会议室",
            "topic": "主题党日",
        },
        actor=world.secretary_user,
    )


def test_the_secretarys_page_shows_the_rotating_code(world, all_day):
    client = world.client(world.secretary_user)
    page = client.get(reverse("orglife:meeting_detail", args=[all_day.pk])).content.decode()
    assert f'hx-get="{reverse("orglife:meeting_qr", args=[all_day.pk])}"' in page
    assert 'hx-trigger="load, every 10s"' in page and "<script" not in page.split("</head>")[1]
    fragment = client.get(reverse("orglife:meeting_qr", args=[all_day.pk])).content.decode()
    assert "<svg" in fragment and signin.current_token(all_day) in fragment


def test_a_member_scans_confirms_and_a_retry_does_not_double_count(world, all_day):
    member = world.full[4]
    client = world.client(world.member_user(member))
    url = reverse("orglife:meeting_sign_in", args=[all_day.pk, signin.current_token(all_day)])
    page = client.get(url)
    assert page.status_code == 200 and f"以 {member.name} 的身份签到" in page.content.decode()
    ticket = page.context["ticket"]
    done = client.post(url, {"ticket": ticket}).content.decode()
    assert "签到成功" in done
    retry = client.post(url, {"ticket": ticket}).content.decode()
    assert "不会重复计算" in retry
    assert Attendance.objects.filter(meeting=all_day, member=member).count() == 1


def test_a_forwarded_code_opened_by_a_member_of_another_branch_is_refused(world, all_day):
    client = world.client(world.member_user(world.guest))
    url = reverse("orglife:meeting_sign_in", args=[all_day.pk, signin.current_token(all_day)])
    page = client.get(url)
    assert page.status_code == 403
    assert "转发的二维码不能代替本人到会" in page.content.decode()
    assert not Attendance.objects.filter(meeting=all_day).exists()


def test_an_old_code_is_refused_on_the_phone(world, all_day):
    client = world.client(world.member_user(world.full[1]))
    old = signin.token(all_day.pk, signin.step_of(timezone.now()) - 3)
    page = client.get(reverse("orglife:meeting_sign_in", args=[all_day.pk, old]))
    assert page.status_code == 403 and "二维码已失效" in page.content.decode()
