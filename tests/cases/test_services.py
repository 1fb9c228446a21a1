"""Submitting, deadlines to the second, sanitising, image and attachment checks, review, audit."""

import datetime
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from dangjian.cases import services, text
from dangjian.cases.models import Campaign, Review, Submission
from dangjian.core.models import AuditLog

from .conftest import AFTER, BEFORE, DEADLINE, SECTIONS, UNIT_NAME, make_docx, upload, write_case

pytestmark = pytest.mark.django_db
SECOND = datetime.timedelta(seconds=1)


# -- deadline ----------------------------------------------------------------------------------
def test_submit_at_the_deadline_is_accepted(world):
    sub = write_case(world, world.unit, world.liaison, submit=False)
    services.submit(sub, actor=world.liaison, now=DEADLINE)
    assert Submission.objects.get(pk=sub.pk).status == Submission.Status.SUBMITTED


def test_submit_one_second_late_is_refused(world):
    sub = write_case(world, world.unit, world.liaison, submit=False)
    with pytest.raises(ValidationError, match="截止|deadline"):
        services.submit(sub, actor=world.liaison, now=DEADLINE + SECOND)
    assert Submission.objects.get(pk=sub.pk).status == Submission.Status.DRAFT


def test_edits_and_uploads_are_refused_after_the_deadline(world):
    sub = write_case(world, world.unit, world.liaison, submit=False)
    services.save_draft(sub, actor=world.liaison, title="最后一刻", now=DEADLINE)
    with pytest.raises(ValidationError):
        services.save_draft(sub, actor=world.liaison, title="晚了", now=DEADLINE + SECOND)
    with pytest.raises(ValidationError):
        services.add_stated_figure(
            sub, actor=world.liaison, label="x", value="1", now=DEADLINE + SECOND
        )
    with pytest.raises(ValidationError):
        services.create_submission(
            world.campaign, world.unit, actor=world.liaison, title="新", now=DEADLINE + SECOND
        )


def test_withdraw_before_the_deadline_only(world):
    sub = write_case(world, world.unit, world.liaison)
    services.withdraw(sub, actor=world.liaison, now=DEADLINE)
    sub.refresh_from_db()
    assert sub.status == Submission.Status.WITHDRAWN and sub.is_editable
    services.submit(sub, actor=world.liaison, now=DEADLINE)
    with pytest.raises(ValidationError):
        services.withdraw(sub, actor=world.liaison, now=DEADLINE + SECOND)


def test_submitted_case_is_locked(world):
    sub = write_case(world, world.unit, world.liaison)
    with pytest.raises(ValidationError):
        services.save_draft(sub, actor=world.liaison, title="改", now=BEFORE)


def test_autosave_writes_only_changes(world):
    sub = write_case(world, world.unit, world.liaison, submit=False)
    assert not services.save_draft(
        sub, actor=world.liaison, sections=SECTIONS, autosave=True, now=BEFORE
    )
    assert services.save_draft(
        sub,
        actor=world.liaison,
        sections={**SECTIONS, "工作成效": "新的成效"},
        autosave=True,
        now=BEFORE,
    )
    sub.refresh_from_db()
    assert sub.autosaved_at == BEFORE and sub.sections["工作成效"] == "新的成效"


def test_submit_checks_empty_sections_and_word_limits(world):
    sub = services.create_submission(
        world.campaign, world.unit, actor=world.liaison, title="空", now=BEFORE
    )
    with pytest.raises(ValidationError) as exc:
        services.submit(sub, actor=world.liaison, now=BEFORE)
    assert any("为空" in m or "empty" in m for m in exc.value.messages)
    long = {**SECTIONS, "主要做法": "字" * 201}
    services.save_draft(sub, actor=world.liaison, category="组织建设", sections=long, now=BEFORE)
    with pytest.raises(ValidationError) as exc:
        services.submit(sub, actor=world.liaison, now=BEFORE)
    assert any("201" in m for m in exc.value.messages)


def test_word_count_ignores_tags_spaces_and_punctuation():
    assert text.word_count("<p>党建，工作。</p> <b>ab</b>") == 6


# -- sanitising --------------------------------------------------------------------------------
def test_hostile_html_is_sanitised_on_display():
    raw = (
        '<script>alert(1)</script><p onclick="steal()">做法<strong>一</strong></p>'
        '<img src=x onerror=alert(2)><a href="javascript:alert(3)">链接</a><style>p{}</style>'
    )
    shown = str(text.sanitise(raw))
    for bad in ("<script", "onclick", "onerror", "<img", "javascript:", "<style", "<a "):
        assert bad not in shown
    assert "<p>做法<strong>一</strong></p>" in shown


def test_plain_lines_become_paragraphs():
    assert str(text.sanitise("第一段<x>\n第二段 1 < 2")) == "<p>第一段</p><p>第二段 1 &lt; 2</p>"


# -- images and attachments --------------------------------------------------------------------
def _jpeg_with_gps() -> bytes:
    img = Image.new("RGB", (64, 48), (200, 10, 10))
    exif = Image.Exif()
    exif[0x010F] = "TestCamera"  # Make
    exif[0x0131] = "SecretSoftware"
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (39.0, 7.0, 30.0)
    gps[3] = "E"
    gps[4] = (117.0, 12.0, 0.0)
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    data = out.getvalue()
    with Image.open(io.BytesIO(data)) as check:  # the fixture really carries GPS
        assert check.getexif().get_ifd(0x8825)
    return data


def test_image_is_reencoded_without_exif_or_gps(world):
    sub = write_case(world, world.unit, world.liaison, submit=False)
    image = services.add_image(
        sub, upload(_jpeg_with_gps(), "gps.jpg"), actor=world.liaison, caption="活动", now=BEFORE
    )
    with image.file.open("rb") as fh:
        stored = fh.read()
    with Image.open(io.BytesIO(stored)) as img:
        assert img.format == "JPEG"
        assert not img.getexif()
        assert "exif" not in img.info
    assert b"Exif" not in stored and b"TestCamera" not in stored and b"SecretSoftware" not in stored
    assert (image.width, image.height) == (64, 48)


@pytest.mark.parametrize(
    "data",
    [
        b"<html><script>alert(1)</script></html>",
        b"%PDF-1.4 fake",
        b"MZ\x90\x00binary",
        b"PK\x03\x04junk",
    ],
)
def test_uploads_are_checked_by_content_not_name(world, data):
    sub = write_case(world, world.unit, world.liaison, submit=False)
    with pytest.raises(ValidationError):
        services.add_image(
            sub, upload(data, "photo.jpg"), actor=world.liaison, caption="x", now=BEFORE
        )
    with pytest.raises(ValidationError):
        services.add_attachment(sub, upload(data, "附件.docx"), actor=world.liaison, now=BEFORE)
    assert not sub.images.exists() and not sub.attachments.exists()


def test_oversized_upload_is_refused(world):
    world.campaign.max_attachment_mb = 1
    world.campaign.save()
    sub = write_case(world, world.unit, world.liaison, submit=False)
    with pytest.raises(ValidationError, match="MB"):
        services.add_attachment(
            sub, upload(b"x" * (1024 * 1024 + 1), "big.docx"), actor=world.liaison, now=BEFORE
        )


def test_attachment_limit(world):
    world.campaign.max_attachments = 1
    world.campaign.save()
    sub = write_case(world, world.unit, world.liaison, submit=False)
    services.add_attachment(sub, upload(make_docx("一"), "a.docx"), actor=world.liaison, now=BEFORE)
    with pytest.raises(ValidationError):
        services.add_attachment(
            sub, upload(make_docx("二"), "b.docx"), actor=world.liaison, now=BEFORE
        )


def test_word_attachment_loses_its_author(world):
    sub = write_case(world, world.unit, world.liaison, submit=False)
    att = services.add_attachment(
        sub, upload(make_docx("正文", author="张三"), "说明.docx"), actor=world.liaison, now=BEFORE
    )
    assert att.kind == "docx" and att.original_name == "说明.docx"
    with att.file.open("rb") as fh, zipfile.ZipFile(fh) as zf:
        assert "张三" not in zf.read("docProps/core.xml").decode()


# -- figures -----------------------------------------------------------------------------------
def test_figures_from_the_ledger_are_confirmed(world):
    sub = write_case(world, world.prov, world.prov_officer, submit=False)
    services.pull_figures(sub, datetime.date(2030, 1, 1), actor=world.prov_officer, now=BEFORE)
    services.add_stated_figure(
        sub, actor=world.prov_officer, label="覆盖率", value="93%", now=BEFORE
    )
    figures = {f.kind: f for f in sub.figures.all()}
    assert figures["member_units"].value == "1" and figures["member_units"].confirmed
    assert figures["member_units"].as_of == datetime.date(2030, 1, 1)
    assert figures["coverage"].value == "0.0%" and figures["coverage"].label == "0/1"
    assert not figures["stated"].confirmed
    # Pulling again replaces the confirmed ones and keeps the stated one.
    services.pull_figures(sub, datetime.date(2019, 1, 1), actor=world.prov_officer, now=BEFORE)
    assert sub.figures.filter(confirmed=True, kind="member_units").get().value == "0"
    assert sub.figures.filter(confirmed=False).count() == 1


# -- review ------------------------------------------------------------------------------------
def test_assignment_needs_the_deadline_to_pass(world):
    write_case(world, world.unit, world.liaison)
    with pytest.raises(ValidationError):
        services.assign_reviewers(world.campaign, actor=world.owner, now=DEADLINE)


def test_assignment_excludes_conflicts_and_balances(world):
    unit_case = write_case(world, world.unit, world.liaison, title="单位案例")
    prov_case = write_case(world, world.prov, world.prov_officer, title="省联合会案例")
    other_case = write_case(world, world.other, world.other_officer, title="乙省案例")
    services.assign_reviewers(world.campaign, actor=world.owner, now=AFTER)
    world.campaign.refresh_from_db()
    assert world.campaign.stage == Campaign.Stage.REVIEW
    reviewers = {
        s.pk: set(Review.objects.filter(submission=s).values_list("reviewer__username", flat=True))
        for s in (unit_case, prov_case, other_case)
    }
    # t_expert0 belongs to the provincial federation (and so to its member unit's cases).
    assert "t_expert0" not in reviewers[unit_case.pk] | reviewers[prov_case.pk]
    assert "t_expert1" not in reviewers[other_case.pk]
    assert all(len(r) == 2 for r in reviewers.values())
    loads = [Review.objects.filter(reviewer=e).count() for e in world.experts]
    assert max(loads) - min(loads) <= 1


def _score_all(world, values):
    for review in Review.objects.filter(submission__campaign=world.campaign):
        v = values[(review.reviewer.username, review.submission.title)]
        services.save_review(
            review,
            actor=review.reviewer,
            scores={c["key"]: v for c in world.campaign.rubric},
            comment="",
            complete=True,
            now=AFTER,
        )


def test_every_score_change_is_audited(world):
    write_case(world, world.other, world.other_officer)
    services.assign_reviewers(world.campaign, actor=world.owner, now=AFTER)
    review = Review.objects.filter(submission__campaign=world.campaign).first()
    rubric = world.campaign.rubric
    services.save_review(
        review,
        actor=review.reviewer,
        scores={c["key"]: 8 for c in rubric},
        comment="好",
        complete=True,
    )
    services.save_review(
        review,
        actor=review.reviewer,
        scores={c["key"]: 6 for c in rubric},
        comment="一般",
        complete=True,
    )
    logs = AuditLog.objects.filter(
        object_type="cases.review", object_id=str(review.pk), action="update"
    )
    assert logs.count() == 2
    last = logs.order_by("-id").first()
    assert last.actor == review.reviewer
    assert last.changes["fields"]["total"] == ["80.00", "60.00"]
    assert last.changes["fields"]["scores"][1] == {c["key"]: 6.0 for c in rubric}


def test_scores_are_checked_and_only_the_reviewer_scores(world):
    write_case(world, world.other, world.other_officer)
    services.assign_reviewers(world.campaign, actor=world.owner, now=AFTER)
    review = Review.objects.filter(submission__campaign=world.campaign).first()
    keys = [c["key"] for c in world.campaign.rubric]
    with pytest.raises(ValidationError):
        services.save_review(
            review, actor=review.reviewer, scores=dict.fromkeys(keys, 11), comment="", complete=True
        )
    with pytest.raises(ValidationError):
        services.save_review(
            review, actor=review.reviewer, scores={keys[0]: 5}, comment="", complete=True
        )
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.save_review(
            review, actor=world.owner, scores=dict.fromkeys(keys, 5), comment="", complete=True
        )


def test_second_round_for_the_borderline_with_fresh_reviewers(world):
    a = write_case(world, world.other, world.other_officer, title="甲")
    b = write_case(world, world.prov, world.prov_officer, title="乙")
    c = write_case(world, world.unit, world.liaison, title="丙")
    services.assign_reviewers(world.campaign, actor=world.owner, now=AFTER)
    values = {}
    for review in Review.objects.filter(submission__campaign=world.campaign).select_related(
        "reviewer", "submission"
    ):
        base = {"甲": 9, "乙": 7, "丙": 5}[review.submission.title]
        values[(review.reviewer.username, review.submission.title)] = base
    _score_all(world, values)
    rows = services.ranking(world.campaign)
    borderline = {r.submission for r in rows if r.borderline}
    assert borderline == {a.pk, b.pk}  # quota 1, margin 1: ranks 1 and 2
    first = {(r.submission_id, r.reviewer_id) for r in Review.objects.filter(round=1)}
    created = services.start_second_round(world.campaign, actor=world.owner, now=AFTER)
    assert created and {r.submission_id for r in created} <= borderline
    assert c.pk not in {r.submission_id for r in created}
    for r in created:
        assert (r.submission_id, r.reviewer_id) not in first
        assert r.round == 2


def test_select_publish_and_correct(world, client):
    sub = write_case(world, world.other, world.other_officer, title="乙省案例")
    services.assign_reviewers(world.campaign, actor=world.owner, now=AFTER)
    pub = services.select_case(sub, actor=world.owner, editor_note="编者按文字", number=1)
    assert client.get(f"/cases/public/{world.campaign.pk}/1/").status_code == 404
    services.publish_campaign(world.campaign, actor=world.owner)
    page = client.get(f"/cases/public/{world.campaign.pk}/1/").content.decode()
    assert "乙省案例" in page and "编者按文字" in page
    with pytest.raises(ValidationError):
        services.revise_publication(pub, actor=world.owner, note="  ", title="新")
    services.revise_publication(
        pub, actor=world.owner, note="更正了一处日期", title="乙省案例（修订）"
    )
    page = client.get(f"/cases/public/{world.campaign.pk}/1/").content.decode()
    assert "更正了一处日期" in page and "乙省案例（修订）" in page
    with pytest.raises(ValidationError):
        services.deselect_case(sub, actor=world.owner)


def test_redaction_covers_names_and_short_names(world):
    sub = write_case(world, world.prov, world.prov_officer, submit=False)
    names = text.redaction_names(sub)
    assert names[0] == "测试甲省网络社会组织联合会" and "甲网联" in names
    shown = text.redact(str(text.sanitise(SECTIONS["工作成效"])), names)
    assert "甲网联" not in shown and text.REDACTED in shown
    assert UNIT_NAME not in text.redact(
        f"{UNIT_NAME}",
        text.redaction_names(write_case(world, world.unit, world.liaison, submit=False, title="x")),
    )


def test_an_officer_grant_without_a_federation_grants_no_submitting_federation(world):
    # RoleAssignment.clean requires the federation; a row written around it (the ORM, a fixture)
    # grants nothing instead of failing on its missing path.
    from dangjian.cases.access_rules import submitting_federations

    from .conftest import _user

    broken = _user("t_broken", "federation_officer")
    assert not submitting_federations(broken).exists()
    assert set(submitting_federations(world.prov_officer)) == {world.prov}


def test_a_three_megabyte_section_or_comment_is_refused_and_nothing_written(world):
    from django.utils import translation

    sub = write_case(world, world.unit, world.liaison, submit=False)
    huge = "情" * 1_000_000
    with translation.override("zh-hans"), pytest.raises(ValidationError) as info:
        services.save_draft(sub, actor=world.liaison, sections={"案例背景": huge}, now=BEFORE)
    assert "最多" in info.value.messages[0]
    sub.refresh_from_db()
    assert huge not in sub.sections.values()
    sub = services.submit(sub, actor=world.liaison, now=BEFORE)
    services.assign_reviewers(world.campaign, actor=world.owner, now=AFTER)
    review = sub.reviews.first()
    with pytest.raises(ValidationError):
        services.save_review(
            review, actor=review.reviewer, scores={}, comment=huge, complete=False, now=AFTER
        )
    review.refresh_from_db()
    assert review.comment == ""
