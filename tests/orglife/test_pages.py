"""The meeting pages as their users see them: the secretary plans and records, the member
reads their branch's meetings and nothing of other members beyond names."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.orglife import services
from dangjian.orglife.models import Attendance, Meeting
from dangjian.orglife.queries import expected_attendees

TODAY = timezone.localdate()


def plan_page(world, **more):
    data = {
        "party_organization": world.branch.pk,
        "kind": Meeting.Kind.GENERAL_MEETING,
        "held_on": TODAY.isoformat(),
        "starts_at": "09:00",
        "ends_at": "10:30",
        "place": "协会会议室",
        "topic": "学习贯彻会议精神",
        "chair": world.full[0].pk,
        "recorder": world.full[1].pk,
        **more,
    }
    return world.client(world.secretary_user).post(reverse("orglife:meeting_plan"), data)


def record_data(meeting, present, **more):
    data = {
        "topic": meeting.topic,
        "place": meeting.place,
        "starts_at": "09:00",
        "ends_at": "10:30",
        "chair": meeting.chair_id,
        "recorder": meeting.recorder_id,
        "minutes": "<p>会议讨论了支部工作。</p>",
        "version": meeting.version,
        **more,
    }
    voters = [e for e in expected_attendees(meeting) if e.votes]
    for e in expected_attendees(meeting):
        if e.votes and voters.index(e) >= present:
            data[f"status_{e.member.pk}"] = "absent"
            data[f"reason_{e.member.pk}"] = "sick"
        else:
            data[f"status_{e.member.pk}"] = "present"
    return data


def test_the_secretary_plans_and_records_a_meeting(world):
    response = plan_page(world)
    meeting = Meeting.objects.get(party_organization=world.branch)
    assert response.status_code == 302 and meeting.is_planned
    client = world.client(world.secretary_user)
    form = client.get(reverse("orglife:meeting_record", args=[meeting.pk])).content.decode()
    assert 'id="attendance-grid"' in form and world.probationary[0].name in form
    saved = client.post(
        reverse("orglife:meeting_record", args=[meeting.pk]), record_data(meeting, 4)
    )
    assert saved.status_code == 302
    page = client.get(saved["Location"]).content.decode()
    assert "已召开，计入规定次数" in page and "会议讨论了支部工作。" in page


def test_a_general_meeting_without_quorum_says_why_it_does_not_count(world):
    plan_page(world)
    meeting = Meeting.objects.get(party_organization=world.branch)
    client = world.client(world.secretary_user)
    client.post(reverse("orglife:meeting_record", args=[meeting.pk]), record_data(meeting, 3))
    page = client.get(reverse("orglife:meeting_detail", args=[meeting.pk])).content.decode()
    assert "已召开，不计入规定次数" in page
    assert "会议无效：应到有表决权的党员 6 名，仅实到 3 名，未超过半数（至少需 4 名）" in page


def test_bad_input_is_refused_in_chinese_and_nothing_is_lost(world):
    plan_page(world)
    meeting = Meeting.objects.get(party_organization=world.branch)
    data = record_data(meeting, 6, minutes="长" * 1_000_000)
    data.pop(f"status_{world.full[5].pk}")
    page = world.client(world.secretary_user).post(
        reverse("orglife:meeting_record", args=[meeting.pk]), data
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "会议记录过长（1,000,000 字），最多 100,000 字" in text
    assert "请选择出席或缺席。" in text
    assert text.count("长" * 1000) >= 1  # the minutes typed are still in the form
    meeting.refresh_from_db()
    assert meeting.is_planned and meeting.minutes == ""


def test_two_secretaries_editing_one_meeting_see_a_conflict(world):
    plan_page(world)
    meeting = Meeting.objects.get(party_organization=world.branch)
    client = world.client(world.secretary_user)
    first = record_data(meeting, 6, place="甲会议室")
    second = record_data(meeting, 6, place="乙会议室")
    client.post(reverse("orglife:meeting_record", args=[meeting.pk]), first)
    page = client.post(reverse("orglife:meeting_record", args=[meeting.pk]), second)
    assert "修改冲突" in page.content.decode()
    meeting.refresh_from_db()
    assert meeting.place == "甲会议室"


def test_the_workspace_shows_what_is_due_and_done(world):
    client = world.client(world.secretary_user)
    page = client.get(reverse("orglife:workspace")).content.decode()
    assert world.branch.name in page and "待完成" in page
    services.record_meetings_bulk(
        [
            {
                "party_organization_id": world.branch.pk,
                "kind": Meeting.Kind.THEME_DAY,
                "held_on": TODAY,
            }
        ],
        actor=None,
    )
    response = client.get(reverse("orglife:workspace"))
    [theme] = [r for r in response.context["requirements"] if r.kind == "theme_day"]
    assert theme.current.state == "done" and theme.current.label == (
        f"{TODAY.year}年{TODAY.month}月"
    )
    assert world.probationary[0].name in response.content.decode()


def test_the_secretary_and_a_member_land_on_their_to_do_lists(world):
    # Home is each role's to-do list since issue 16 (it redirected to these pages before).
    secretary = world.client(world.secretary_user).get(reverse("home"))
    assert secretary.status_code == 200
    assert reverse("orglife:workspace") in secretary.content.decode()
    member = world.client(world.member_user(world.full[3])).get(reverse("home"))
    assert member.status_code == 200 and reverse("orglife:mine") in member.content.decode()


def test_a_member_sees_the_branch_meetings_and_only_names_of_others(world):
    plan_page(world)
    meeting = Meeting.objects.get(party_organization=world.branch)
    world.client(world.secretary_user).post(
        reverse("orglife:meeting_record", args=[meeting.pk]), record_data(meeting, 5)
    )
    absent = Attendance.objects.get(meeting=meeting, status="absent").member
    me = world.full[1]
    client = world.client(world.member_user(me))
    mine = client.get(reverse("orglife:mine")).content.decode()
    assert world.branch.name in mine and "出席" in mine
    page = client.get(reverse("orglife:meeting_detail", args=[meeting.pk])).content.decode()
    assert world.full[0].name in page  # the chair, and those present: names only
    assert absent.name not in page and "病假" not in page
    assert "您的出席情况" in page
    # Their own file opens; another member's does not, nor the branch's page or the units.
    assert client.get(reverse("party:member_detail", args=[me.pk])).status_code == 200
    assert client.get(reverse("party:member_detail", args=[world.full[0].pk])).status_code == 404
    assert (
        client.get(reverse("party:party_organization_detail", args=[world.branch.pk])).status_code
        == 404
    )
    assert client.get(reverse("orglife:meeting_record", args=[meeting.pk])).status_code == 404
    # Another branch's meetings are not theirs.
    other = services.plan_meeting(
        world.other,
        {"kind": "theme_day", "held_on": TODAY, "topic": "另一支部的会"},
        actor=None,
    )
    assert client.get(reverse("orglife:meeting_detail", args=[other.pk])).status_code == 404
    listing = client.get(reverse("orglife:meeting_list")).content.decode()
    assert "另一支部的会" not in listing


def test_an_executable_renamed_jpg_is_refused_and_a_photo_loses_its_exif(world):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    plan_page(world)
    meeting = Meeting.objects.get(party_organization=world.branch)
    client = world.client(world.secretary_user)
    url = reverse("orglife:attachment_add", args=[meeting.pk])
    exe = SimpleUploadedFile("合影.jpg", b"MZ\x90\x00" + b"\x00" * 500)
    page = client.post(url, {"file": exe}, follow=True).content.decode()
    assert "文件是可执行程序" in page and not meeting.attachments.exists()
    image = Image.new("RGB", (64, 48), (200, 0, 0))
    exif = Image.Exif()
    exif[0x010F] = "相机厂商"  # Make
    raw = io.BytesIO()
    image.save(raw, "JPEG", exif=exif)
    assert b"Exif" in raw.getvalue()
    photo = SimpleUploadedFile("合影.jpg", raw.getvalue())
    page = client.post(url, {"file": photo}, follow=True).content.decode()
    stored = meeting.attachments.get()
    data = stored.file.read()
    assert stored.kind == "jpg" and b"Exif" not in data and "合影.jpg" in page
    pdf = SimpleUploadedFile("签到表.jpg", b"%PDF-1.4\n" + b"0" * 200)
    client.post(url, {"file": pdf})
    assert meeting.attachments.filter(kind="pdf").exists()
    member = world.client(world.member_user(world.full[2]))
    download = member.get(reverse("orglife:attachment_download", args=[meeting.pk, stored.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "image/jpeg"


def test_a_file_over_the_limit_is_refused(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    plan_page(world)
    meeting = Meeting.objects.get(party_organization=world.branch)
    big = SimpleUploadedFile("大.pdf", b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024))
    page = world.client(world.secretary_user).post(
        reverse("orglife:attachment_add", args=[meeting.pk]), {"file": big}, follow=True
    )
    assert "文件过大" in page.content.decode() and not meeting.attachments.exists()


@pytest.mark.parametrize("persona", ["liaison", "instructor", "authority"])
def test_readers_of_a_branch_do_not_plan_its_meetings(persona_client, persona):
    assert persona_client(persona).get(reverse("orglife:meeting_plan")).status_code == 404


def test_the_demo_secretary_sees_the_failed_general_meeting_and_the_member_their_branch(
    persona_client,
):
    page = persona_client("secretary").get(reverse("orglife:workspace")).content.decode()
    assert "天津市互联网金融协会党支部" in page and "不计入" in page
    mine = persona_client("member").get(reverse("orglife:mine")).content.decode()
    assert "天津市互联网金融协会党支部" in mine
    assert "党课" in mine  # the party lesson planned for next week


def test_a_meeting_page_at_390px_has_no_wide_table(world):
    """The phone layout: lists and stacked rows, no table that would scroll sideways."""
    plan_page(world)
    meeting = Meeting.objects.get(party_organization=world.branch)
    client = world.client(world.secretary_user)
    for url in (
        reverse("orglife:meeting_detail", args=[meeting.pk]),
        reverse("orglife:meeting_record", args=[meeting.pk]),
        reverse("orglife:workspace"),
    ):
        assert "<table" not in client.get(url).content.decode()


def test_days_ahead_are_planned_not_recorded(world):
    response = plan_page(world, held_on=(TODAY + datetime.timedelta(days=400)).isoformat())
    assert "会议最多可提前一年安排" in response.content.decode()
