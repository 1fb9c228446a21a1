"""Records that cannot be faked quietly: the integrity rules on hand-made records, each with
an honest record beside it that must not be found."""

import datetime
import io
import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from dangjian.core.models import valid_on_q
from dangjian.demo import minutes_text
from dangjian.orglife import services, signin, similarity
from dangjian.orglife.models import Attendance, Meeting
from dangjian.orglife.queries import expected_attendees
from dangjian.party.models import PartyMember, RelationPeriod
from dangjian.party.services import move_relation
from dangjian.rules.engine import Engine
from dangjian.rules.kinds import attendance

PRESENT = Attendance.Status.PRESENT
TODAY = timezone.localdate()
DAY = TODAY - datetime.timedelta(days=10)
T = datetime.time
NINE, ELEVEN = T(9, 0), T(11, 0)


def found(world, rule_id):
    return Engine(world.federation, TODAY, rule_ids=[rule_id]).evaluate()[rule_id]


def held(world, org=None, day=DAY, start=NINE, end=ELEVEN, place="会议室", minutes="", before=None):
    org = org or world.branch
    meeting = services.plan_meeting(
        org,
        {
            "kind": Meeting.Kind.STUDY,
            "held_on": day,
            "starts_at": start,
            "ends_at": end,
            "place": place,
        },
        actor=None,
    )
    if before:
        before(meeting)
        meeting.refresh_from_db()
    marks = {e.member.pk: {"status": PRESENT} for e in expected_attendees(meeting)}
    return services.record_held(
        meeting, {"minutes": minutes}, version=meeting.version, marks=marks, actor=None
    )


def test_copied_minutes_are_found_with_both_meetings_and_the_similarity(world):
    rng = random.Random(5)
    original = minutes_text.compose(rng, org=world.branch.name, kind="study", day=DAY)
    first = held(world, minutes=original)
    held(
        world,
        day=DAY + datetime.timedelta(days=1),
        minutes=minutes_text.compose(rng, org=world.branch.name, kind="study", day=DAY),
    )
    copy = minutes_text.copy_with_edits(
        rng, original, org_from=world.branch.name, org_to=world.other.name, day=DAY
    )
    second = held(world, org=world.other, day=DAY + datetime.timedelta(days=2), minutes=copy)
    (candidate,) = found(world, "integrity.minutes_copied")
    assert candidate.party_organization_id == world.other.pk
    assert candidate.period_key == f"meeting:{second.pk}"
    assert candidate.facts == {"similar_meeting": first.pk}
    exact = similarity.jaccard(
        similarity.shingles(similarity.plain(original), 5),
        similarity.shingles(similarity.plain(copy), 5),
    )
    assert candidate.evidence["similarity"] == f"{round(exact * 100)}%"
    assert "另一党组织" in candidate.explanation and world.branch.name in candidate.explanation


def stored(meeting):
    """The stored length and signature — and the digest, checked to be the signature's."""
    meeting.refresh_from_db()
    signature, digest = bytes(meeting.minutes_signature), bytes(meeting.minutes_digest)
    assert digest == similarity.digest_of(signature)
    assert (len(digest) == similarity.DIGEST_BYTES) == bool(signature)
    return meeting.minutes_chars, similarity.unpack(signature, 5)


def test_an_edited_meeting_s_signature_is_refreshed(world):
    rng = random.Random(7)
    original = minutes_text.compose(rng, org=world.branch.name, kind="study", day=DAY)
    first = held(world, minutes=original)
    chars, sig = stored(first)
    words = similarity.plain(original)
    assert chars == len(words) and sig == similarity.sign(words, 5)
    # A second meeting's minutes copied from the first: found from the stored signatures.
    copy = minutes_text.copy_with_edits(
        rng, original, org_from=world.branch.name, org_to=world.other.name, day=DAY
    )
    second = held(world, org=world.other, day=DAY + datetime.timedelta(days=2), minutes=copy)
    assert [c.period_key for c in found(world, "integrity.minutes_copied")] == [
        f"meeting:{second.pk}"
    ]
    # The copy rewritten on its page: its signature follows the new text, and the finding goes.
    honest = minutes_text.compose(rng, org=world.other.name, kind="study", day=DAY)
    second.refresh_from_db()
    services.edit_meeting(second, {"minutes": honest}, version=second.version, actor=None)
    chars, sig = stored(second)
    assert chars == len(similarity.plain(honest))
    assert sig == similarity.sign(similarity.plain(honest), 5)
    assert found(world, "integrity.minutes_copied") == []
    # Written back by the import's bulk path: signed again, found again.
    second.refresh_from_db()
    services.update_meetings_bulk([(second, {"minutes": copy})], actor=None)
    assert stored(second)[1] == similarity.sign(similarity.plain(copy), 5)
    assert len(found(world, "integrity.minutes_copied")) == 1


def test_minutes_without_a_stored_signature_are_signed_by_the_rule(world):
    # Rows written before signatures were stored (or signed with another shingle length).
    rng = random.Random(8)
    original = minutes_text.compose(rng, org=world.branch.name, kind="study", day=DAY)
    held(world, minutes=original)
    copy = minutes_text.copy_with_edits(
        rng, original, org_from=world.branch.name, org_to=world.other.name, day=DAY
    )
    second = held(world, org=world.other, day=DAY + datetime.timedelta(days=2), minutes=copy)
    (as_written,) = found(world, "integrity.minutes_copied")
    # Signed before digests were stored: the signatures read instead, the same finding.
    Meeting.objects.update(minutes_digest=None)
    (candidate,) = found(world, "integrity.minutes_copied")
    assert (candidate.period_key, candidate.evidence) == (
        as_written.period_key,
        as_written.evidence,
    )
    # A digest and signature of another shingle length (a parameter changed since): signed
    # again from the text.
    other_k = similarity.pack(similarity.sign(similarity.plain(copy), 4), 4)
    Meeting.objects.filter(pk=second.pk).update(
        minutes_signature=other_k, minutes_digest=similarity.digest_of(other_k)
    )
    (candidate,) = found(world, "integrity.minutes_copied")
    assert (candidate.period_key, candidate.evidence) == (
        as_written.period_key,
        as_written.evidence,
    )
    Meeting.objects.filter(pk=second.pk).update(minutes_digest=None)
    (candidate,) = found(world, "integrity.minutes_copied")
    assert (candidate.period_key, candidate.evidence) == (
        as_written.period_key,
        as_written.evidence,
    )
    # Written before signatures were: no length, no signature, no digest.
    Meeting.objects.update(minutes_chars=0, minutes_signature=b"", minutes_digest=b"")
    (candidate,) = found(world, "integrity.minutes_copied")
    assert (candidate.period_key, candidate.evidence) == (
        as_written.period_key,
        as_written.evidence,
    )


def test_the_bulk_import_path_stores_signatures(world):
    rng = random.Random(9)
    text = minutes_text.compose(rng, org=world.branch.name, kind="study", day=DAY)
    (meeting,) = services.record_meetings_bulk(
        [
            {
                "party_organization_id": world.branch.pk,
                "kind": Meeting.Kind.STUDY,
                "held_on": DAY,
                "minutes": text,
            }
        ],
        actor=None,
    )
    assert stored(meeting) == (
        len(similarity.plain(text)),
        similarity.sign(similarity.plain(text), 5),
    )


def test_short_minutes_are_not_compared(world):
    held(world, minutes="会议由支部书记主持，学习了党章。")
    held(world, day=DAY + datetime.timedelta(days=1), minutes="会议由支部书记主持，学习了党章。")
    assert found(world, "integrity.minutes_copied") == []


@pytest.fixture(params=[200_000, 0], ids=["from the attendees", "from the window"])
def either_way(request, monkeypatch):
    """The window's attendees found both ways (``attendance._in_window``)."""
    monkeypatch.setattr(attendance, "FEW_ATTENDANCES", request.param)


def test_a_member_at_two_overlapping_meetings_in_different_places(world, either_way):
    first = held(world, start=T(14, 0), end=T(16, 0), place="协会会议室")
    # The same afternoon, 15:00–17:00, elsewhere; one of the branch's members imported present.
    second = held(world, org=world.other, start=T(15, 0), end=T(17, 0), place="滨海新区")
    # And an honest meeting the next morning with the same people.
    held(world, day=DAY + datetime.timedelta(days=1), start=T(9, 0), end=T(10, 0), place="滨海新区")
    services.record_attendance_bulk(
        [
            {
                "meeting": second,
                "member_id": world.full[2].pk,
                "role": Attendance.Role.GUEST,
                "status": PRESENT,
            }
        ],
        actor=None,
    )
    candidates = {c.period_key: c for c in found(world, "integrity.impossible_attendance")}
    assert set(candidates) == {f"meeting:{first.pk}", f"meeting:{second.pk}"}
    text = candidates[f"meeting:{first.pk}"].explanation
    assert world.full[2].name in text and "滨海新区" in text


def test_present_before_joining_or_counted_where_the_relation_is_not(world, either_way):
    meeting = held(world)
    late_joiner = world.member("新党员")
    late_joiner.joined_party_on = TODAY
    late_joiner.save(update_fields=["joined_party_on"])
    gone = world.member("已离开")
    gone.left_on = DAY - datetime.timedelta(days=1)
    gone.save(update_fields=["left_on"])
    services.record_attendance_bulk(
        [
            {
                "meeting": meeting,
                "member_id": gone.pk,
                "role": Attendance.Role.VOTER,
                "status": PRESENT,
            },
            {
                "meeting": meeting,
                "member_id": late_joiner.pk,
                "role": Attendance.Role.VOTER,
                "status": PRESENT,
            },
            {
                "meeting": meeting,
                "member_id": world.guest.pk,
                "role": Attendance.Role.VOTER,
                "status": PRESENT,
            },
        ],
        actor=None,
    )
    (candidate,) = found(world, "integrity.impossible_attendance")
    texts = [c["text"] for c in candidate.evidence["conditions"] if c["code"] == "outside_ledger"]
    # One text per attendee, in the order the conditions are listed (not the order recorded);
    # the member who left is not also said to be counted in the wrong branch.
    assert texts == [
        f"{late_joiner.name}于 {TODAY.isoformat()} 才入党，会前尚不是党员",
        f"{gone.name}已于 {gone.left_on.isoformat()} 离开党员台账",
        f"{world.guest.name}当天的组织关系不在本党组织，却按本支部党员计入出席",
    ]


def test_qr_sign_ins_outside_the_window_the_record_gives(world, either_way):
    def signed_at_nine(meeting):
        e = expected_attendees(meeting)[0]
        at = datetime.datetime.combine(meeting.held_on, T(8, 45), timezone.get_current_timezone())
        services.sign_in(
            meeting, e.member, signin.token(meeting.pk, signin.step_of(at)), actor=None, now=at
        )
        services.edit_meeting(
            meeting,
            {"starts_at": T(19, 0), "ends_at": T(20, 0)},
            version=Meeting.objects.get(pk=meeting.pk).version,
            actor=None,
        )

    meeting = held(world, before=signed_at_nine)
    # An honest sign-in at 08:45 for a 09:00 meeting (the window opens 30 minutes before).
    held(
        world,
        day=DAY - datetime.timedelta(days=1),
        before=lambda m: services.sign_in(
            m,
            expected_attendees(m)[0].member,
            signin.token(
                m.pk,
                signin.step_of(
                    datetime.datetime.combine(m.held_on, T(8, 45), timezone.get_current_timezone())
                ),
            ),
            actor=None,
            now=datetime.datetime.combine(m.held_on, T(8, 45), timezone.get_current_timezone()),
        ),
    )
    (candidate,) = found(world, "integrity.impossible_attendance")
    assert candidate.period_key == f"meeting:{meeting.pk}"
    assert "08:45" in candidate.explanation and "18:30—20:00" in candidate.explanation


def test_more_present_than_the_branch_had_members(world):
    # 6 full and 2 probationary members hold their relation here: 9 present is impossible.
    services.record_meeting(
        world.branch,
        kind=Meeting.Kind.THEME_DAY,
        held_on=DAY,
        expected_count=9,
        present_count=9,
        actor=None,
    )
    services.record_meeting(
        world.branch,
        kind=Meeting.Kind.THEME_DAY,
        held_on=DAY - datetime.timedelta(days=30),
        expected_count=8,
        present_count=8,
        actor=None,
    )
    (candidate,) = found(world, "integrity.impossible_attendance")
    assert "实到 9 人" in candidate.explanation and "只有 8 名" in candidate.explanation


def members_then(meeting) -> int:
    """The oracle: the members (full or probationary) holding their relation in the meeting's
    branch on its day, having joined by then — counted by the database, one meeting at a time."""
    day = meeting.held_on
    return (
        RelationPeriod.objects.filter(
            valid_on_q(day),
            party_organization=meeting.party_organization,
            member__joined_party_on__lte=day,
        )
        .values("member")
        .distinct()
        .count()
    )


def test_each_meeting_is_counted_against_its_own_day_s_members(world):
    """Members joining, moving out and back, a relation ending on a meeting's day or the day
    before, and (against the ledger's rule, as a database may hold) two overlapping periods
    of one member: each meeting of the window is found exactly when more were present than the
    oracle counts that day — present one more than that, or exactly that (not found)."""
    rng = random.Random(15)
    start = TODAY - datetime.timedelta(days=365)
    days = [start + datetime.timedelta(days=rng.randrange(0, 366)) for _ in range(6)]
    for i in range(5):  # joining within the window, at a meeting's day or a day around it
        joined = rng.choice(days) + datetime.timedelta(days=rng.choice([-1, 0, 1]))
        m = world.member(f"新党员{i}", full=False)
        PartyMember.objects.filter(pk=m.pk).update(joined_party_on=min(joined, TODAY))
    members = world.full + world.probationary
    for m in rng.sample(members, 4):  # out to the other branch, some back again
        out = rng.choice(days) + datetime.timedelta(days=rng.choice([0, 1]))
        move_relation(m, to=world.other, on=min(out, TODAY), actor=None)
        if rng.random() < 0.5:
            back = out + datetime.timedelta(days=rng.randrange(1, 90))
            if back <= TODAY:
                move_relation(m, to=world.branch, on=back, actor=None)
    twice = world.full[-1]  # a second period overlapping the first, in the same branch
    RelationPeriod.objects.create(
        member=twice, party_organization=world.branch, valid_from=start, valid_to=days[0]
    )
    expected = set()
    for i, day in enumerate(sorted(set(days))):
        meeting = services.record_meeting(
            world.branch, kind=Meeting.Kind.THEME_DAY, held_on=day, present_count=1, actor=None
        )
        n = members_then(meeting)
        present = n + 1 if i % 2 == 0 else n
        services.update_meeting(
            meeting, {"present_count": present, "expected_count": present}, actor=None
        )
        if present > n:
            expected.add(
                (meeting.pk, f"记录实到 {present} 人，而当天组织关系在本支部的党员只有 {n} 名")
            )
    found_texts = {
        (int(c.period_key.split(":")[1]), condition["text"])
        for c in found(world, "integrity.impossible_attendance")
        for condition in c.evidence["conditions"]
    }
    assert found_texts == expected and expected


def test_a_relation_spanning_the_window_counts_only_from_joining(world):
    """A member whose relation spans the whole window but who joined the party within it is
    not a member before joining: the branch's 8 others were its members then, so 9 present
    before that day is found (the lower bound that spares branches from exact counting must
    not count them either)."""
    start = TODAY - datetime.timedelta(days=365)
    late = world.member("晚入党", full=False)  # relation from before the window
    PartyMember.objects.filter(pk=late.pk).update(
        joined_party_on=start + datetime.timedelta(days=30)
    )
    meeting = services.record_meeting(
        world.branch,
        kind=Meeting.Kind.THEME_DAY,
        held_on=start + datetime.timedelta(days=10),
        expected_count=9,
        present_count=9,
        actor=None,
    )
    assert members_then(meeting) == 8
    (candidate,) = found(world, "integrity.impossible_attendance")
    assert candidate.period_key == f"meeting:{meeting.pk}"
    assert "实到 9 人" in candidate.explanation and "只有 8 名" in candidate.explanation


def test_a_year_s_most_present_outside_the_window_finds_nothing_there(world):
    """The most present of each year the window touches is an upper bound only: a meeting
    before the window's first day with far more present than members makes the branch counted
    meeting by meeting, but finds nothing itself; the window's own honest meeting is not found,
    and one recorded through the ledger import's bulk path is."""
    start = TODAY - datetime.timedelta(days=365)
    before = start - datetime.timedelta(days=1)  # of the window's first year (but on 1 January)
    for day, present in ((before, 40), (DAY, 8)):
        services.record_meeting(
            world.branch,
            kind=Meeting.Kind.THEME_DAY,
            held_on=day,
            expected_count=present,
            present_count=present,
            actor=None,
        )
    assert found(world, "integrity.impossible_attendance") == []
    (made,) = services.record_meetings_bulk(
        [
            {
                "party_organization_id": world.branch.pk,
                "kind": Meeting.Kind.PARTY_LESSON,
                "held_on": DAY - datetime.timedelta(days=1),
                "expected_count": 9,
                "present_count": 9,
            }
        ],
        actor=None,
    )
    (candidate,) = found(world, "integrity.impossible_attendance")
    assert candidate.period_key == f"meeting:{made.pk}"
    assert "实到 9 人" in candidate.explanation and "只有 8 名" in candidate.explanation


def test_member_days_count_a_day_by_the_spans_around_it():
    """The sweep alone, by hand: spans 1–10, 5–5, 6–∞ and 11–20 (a member back the day after
    leaving: two spans, never both on one day)."""
    d = lambda n: datetime.date(2026, 1, n)  # noqa: E731
    days = attendance._Days(
        [(d(1), d(10)), (d(5), d(5)), (d(6), datetime.date.max), (d(11), d(20))]
    )
    assert [days.on(d(n)) for n in (1, 4, 5, 6, 10, 11, 20, 21)] == [1, 1, 2, 2, 2, 2, 2, 1]


@pytest.mark.parametrize(("days", "late"), [(30, False), (31, True)])
def test_a_record_written_more_than_thirty_days_after(world, days, late):
    held(world, day=TODAY - datetime.timedelta(days=days))
    candidates = found(world, "integrity.late_record")
    assert bool(candidates) is late
    if late:
        assert candidates[0].evidence["days_after"] == 31


def picture(seed):
    """A synthetic photo (the same seed, the same picture): shared with the incremental replay."""
    rng = random.Random(seed)
    image = Image.new("RGB", (320, 200))
    draw = ImageDraw.Draw(image)
    for y in range(200):
        draw.line([(0, y), (319, y)], fill=(100 + y // 2, 50, 80))
    for _ in range(8):
        x, y = rng.randrange(0, 280), rng.randrange(0, 160)
        draw.rectangle([x, y, x + 40, y + 40], fill=(rng.randrange(256), rng.randrange(256), 0))
    return image


def upload(image, name="photo.jpg"):
    out = io.BytesIO()
    image.save(out, "JPEG", quality=75)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def test_a_photo_used_again_is_found_a_different_one_is_not(world):
    first = held(world)
    second = held(world, day=DAY + datetime.timedelta(days=3))
    third = held(world, day=DAY + datetime.timedelta(days=5))
    services.add_attachment(first, upload(picture(1)), actor=None)
    # The same picture made smaller and saved again.
    services.add_attachment(second, upload(picture(1).resize((300, 188))), actor=None)
    services.add_attachment(third, upload(picture(2)), actor=None)
    (candidate,) = found(world, "integrity.photo_reused")
    assert candidate.period_key == f"meeting:{second.pk}"
    assert candidate.facts["similar_meeting"] == first.pk
    assert candidate.evidence["photo_distance"] <= 4


def test_near_duplicates_at_scale_find_every_planted_copy():
    rng = random.Random(7)
    texts = [
        minutes_text.compose(rng, org=f"测试{i}党支部", kind="theme_day", day=DAY)
        for i in range(1500)
    ]
    copies = {}
    for i in range(0, 1500, 100):
        copies[len(texts)] = i
        texts.append(
            minutes_text.copy_with_edits(
                rng, texts[i], org_from=f"测试{i}党支部", org_to="抄袭党支部", day=TODAY
            )
        )
    pairs = {
        (a, b)
        for a, b, _ in similarity.near_duplicates(
            enumerate(texts), k=5, threshold=0.8, min_chars=120
        )
    }
    assert pairs == {(orig, copy) for copy, orig in copies.items()}


def _texts_with_copies(seed, count=1500, every=100):
    rng = random.Random(seed)
    texts = [
        minutes_text.compose(rng, org=f"测试{i}党支部", kind="theme_day", day=DAY)
        for i in range(count)
    ]
    copies = {}
    for i in range(0, count, every):
        copies[len(texts)] = i
        texts.append(
            minutes_text.copy_with_edits(
                rng, texts[i], org_from=f"测试{i}党支部", org_to="抄袭党支部", day=TODAY
            )
        )
    return rng, texts, copies


def test_near_duplicates_read_again_a_chunk_of_pairs_at_a_time(monkeypatch):
    # The texts are not kept: the candidates' texts are read again through ``reread``, a few
    # pairs at a time, and the answers are those found with every text kept.
    _, texts, copies = _texts_with_copies(11, count=600, every=50)
    monkeypatch.setattr(similarity, "PAIRS_PER_READ", 3)
    asked = []

    def reread(keys):
        asked.append(len(keys))
        return {key: texts[key] for key in keys}

    found = list(
        similarity.near_duplicates(
            enumerate(texts), k=5, threshold=0.8, min_chars=120, reread=reread
        )
    )
    assert {(a, b) for a, b, _ in found} == {(orig, copy) for copy, orig in copies.items()}
    assert len(asked) == 4 and max(asked) <= 6  # 12 pairs, 3 at a time, 2 texts each
    for a, b, sim in found:
        assert sim == similarity.jaccard(
            similarity.shingles(similarity.plain(texts[a]), 5),
            similarity.shingles(similarity.plain(texts[b]), 5),
        )


def test_the_candidate_pairs_are_every_pair_sharing_a_band_with_agreeing_fingerprints(
    monkeypatch,
):
    """``Table.pairs`` against its definition, pair by pair: texts from a few templates (big
    buckets, as real minutes make), stored signatures taken a chunk at a time
    (``add_signed``) beside texts signed one by one (``add``), compared a few pairs at a time."""
    monkeypatch.setattr(similarity, "PAIRS_AT_ONCE", 7)
    rng, texts, _ = _texts_with_copies(13, count=160, every=20)
    signatures = [similarity.sign(similarity.plain(t), 3) for t in texts]
    table = similarity.Table()
    for key in range(0, 40):
        table.add(key, signatures[key].tobytes())
    stored = [similarity.pack(sig, 3) for sig in signatures[40:]]
    assert table.add_signed(list(range(40, len(texts))), stored, 3) == []
    assert len(table) == len(texts)
    floor = similarity.floor_bins(0.5)
    expected = set()
    for a in range(len(texts)):
        for b in range(a + 1, len(texts)):
            keys_a = similarity.band_keys(signatures[a].tobytes())
            keys_b = similarity.band_keys(signatures[b].tobytes())
            shared = any(
                x == y != similarity.empty_band_key() for x, y in zip(keys_a, keys_b, strict=True)
            )
            agree = similarity.agreeing(
                int.from_bytes(similarity.fingerprint(signatures[a].tobytes()), "little"),
                int.from_bytes(similarity.fingerprint(signatures[b].tobytes()), "little"),
            )
            if shared and agree >= floor:
                expected.add((a, b))
    assert len(expected) > len(texts) // 20  # the copies and many template-alike pairs
    assert table.pairs(floor) == expected


def test_a_chunk_of_stored_signatures_leaves_out_those_of_another_scheme():
    """Another shingle length, another version or a damaged signature: given back, to be
    signed from the text; the others are in the table as ``add`` would put them."""
    sig = similarity.sign(similarity.plain("党支部召开主题党日活动，学习党章党规。" * 5), 5)
    good = similarity.pack(sig, 5)
    other_k = similarity.pack(sig, 4)
    other_version = bytes((similarity.VERSION + 1, 5)) + sig.tobytes()
    table = similarity.Table()
    left = table.add_signed([1, 2, 3, 4, 5], [good, other_k, other_version, good[:-8], good], 5)
    assert sorted(left) == [2, 3, 4]
    alone = similarity.Table()
    alone.add(1, sig.tobytes())
    alone.add(5, sig.tobytes())
    assert (table.keys, table.bands, table.prints) == (alone.keys, alone.bands, alone.prints)


def test_stored_digests_make_the_table_the_signatures_make():
    """A chunk of digests (``add_digested``) gives the table a chunk of the signatures they
    were made from gives; one of another shingle length, another version or damaged is given
    back, to be signed from the text."""
    rng, texts, _ = _texts_with_copies(14, count=30, every=10)
    packed = [similarity.pack(similarity.sign(similarity.plain(t), 5), 5) for t in texts]
    made = similarity.digests(packed)
    assert made == [similarity.digest_of(blob) for blob in packed]
    signed, digested = similarity.Table(), similarity.Table()
    assert signed.add_signed(list(range(len(texts))), packed, 5) == []
    assert digested.add_digested(list(range(len(texts))), made, 5) == []
    assert (digested.keys, digested.bands, digested.prints) == (
        signed.keys,
        signed.bands,
        signed.prints,
    )
    floor = similarity.floor_bins(0.8)
    assert digested.pairs(floor) == signed.pairs(floor) and signed.pairs(floor)
    other_k = similarity.digest_of(
        similarity.pack(similarity.sign(similarity.plain(texts[0]), 4), 4)
    )
    other_version = bytes((similarity.VERSION + 1,)) + made[0][1:]
    assert similarity.digests([b"", packed[0][:-8], bytes((9,)) + packed[0][1:]]) == [b""] * 3
    table = similarity.Table()
    assert sorted(
        table.add_digested([1, 2, 3, 4], [made[0], other_k, other_version, made[0][:-1]], 5)
    ) == [2, 3, 4]
    assert list(table.keys) == [1] and table.prints == signed.prints[: similarity.BINS]


def test_one_new_meeting_is_checked_against_the_index():
    rng, texts, _ = _texts_with_copies(12, count=400, every=400)
    table = similarity.Table()
    for key, text in enumerate(texts):
        table.add(key, similarity.sign(similarity.plain(text), 5).tobytes())
    index = similarity.Index(table)
    floor = similarity.floor_bins(0.8)

    def alike(text):
        words = similarity.plain(text)
        mine = similarity.shingles(words, 5)
        return sorted(
            key
            for key in index.query(similarity.sign(words, 5).tobytes(), floor)
            if similarity.jaccard(mine, similarity.shingles(similarity.plain(texts[key]), 5)) >= 0.8
        )

    copy = minutes_text.copy_with_edits(
        rng, texts[17], org_from="测试17党支部", org_to="新党支部", day=TODAY
    )
    # Text 400 is the planted copy of text 0; the new copy of 17 is alike to 17 only.
    assert alike(copy) == [17]
    fresh = minutes_text.compose(rng, org="新党支部", kind="theme_day", day=TODAY)
    assert alike(fresh) == []
    # A meeting added after the index was built is found too.
    texts.append(copy)
    index.add(len(texts) - 1, similarity.sign(similarity.plain(copy), 5).tobytes())
    again = minutes_text.copy_with_edits(
        rng, copy, org_from="新党支部", org_to="另一党支部", day=TODAY
    )
    assert alike(again) == [17, len(texts) - 1]
