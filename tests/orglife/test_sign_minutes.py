"""Minutes stored without a signature (written before signatures were stored: migration 0007
adds the fields and signs nothing) are signed by a background job, ``dangjian sign_minutes``
(run by ``dangjian nightly``), batched and resumable; the near-duplicate rule finds the same
copies before the job has run as after."""

import datetime
import io
import random

import pytest
from django.core.management import call_command

from dangjian.core.events import AuditEvent
from dangjian.core.models import AuditLog
from dangjian.dashboard.scheduled import JOBS, run_nightly
from dangjian.demo import minutes_text
from dangjian.orglife import similarity
from dangjian.orglife.models import Meeting
from dangjian.orglife.services import signatures

from .test_integrity import DAY, found, held

pytestmark = pytest.mark.django_db


def unsigned(*meetings):
    """As a meeting stored before signatures were kept: no length, no signature."""
    Meeting.objects.filter(pk__in=[m.pk for m in meetings]).update(
        minutes_chars=0, minutes_signature=b""
    )


def stored(meeting):
    meeting.refresh_from_db()
    return meeting.minutes_chars, bytes(meeting.minutes_signature)


def sign(*args):
    out = io.StringIO()
    call_command("sign_minutes", "--no-progress", *args, stdout=out)
    return out.getvalue()


def copied_pair(world, seed):
    rng = random.Random(seed)
    original = minutes_text.compose(rng, org=world.branch.name, kind="study", day=DAY)
    first = held(world, minutes=original)
    copy = minutes_text.copy_with_edits(
        rng, original, org_from=world.branch.name, org_to=world.other.name, day=DAY
    )
    second = held(world, org=world.other, day=DAY + datetime.timedelta(days=2), minutes=copy)
    return first, second


def test_the_job_signs_what_the_services_would_have_signed_and_the_rule_agrees(world):
    first, second = copied_pair(world, 21)
    as_written = [stored(first), stored(second)]
    assert all(chars > 0 and len(sig) == 2 + similarity.BINS * 8 for chars, sig in as_written)
    unsigned(first, second)
    # Before the job: the rule signs the texts itself and finds the copy all the same.
    (before,) = found(world, "integrity.minutes_copied")
    assert before.period_key == f"meeting:{second.pk}"
    out = sign("--from-start")
    assert [stored(first), stored(second)] == as_written
    assert "份会议记录" in out
    (after,) = found(world, "integrity.minutes_copied")
    assert (after.period_key, after.evidence) == (before.period_key, before.evidence)
    progress = AuditLog.objects.filter(event_type=AuditEvent.ORGLIFE_MINUTES_SIGNED).latest("id")
    assert progress.changes["upto"] >= second.pk and progress.changes["signed"] >= 2


def test_the_job_resumes_where_it_stopped(world):
    first, second = copied_pair(world, 22)
    signed_first, signed_second = stored(first), stored(second)
    unsigned(first, second)
    # A run that got as far as just before the first meeting, then one stopped by its time
    # budget after one batch of one meeting id.
    signatures.record_progress(first.pk - 1, 0)
    sign("--batch", "1", "--max-seconds", "0")
    assert stored(first) == signed_first and stored(second)[0] == 0
    assert signatures.signed_upto() == first.pk
    # The next run goes on from there (not from the start) to the last meeting.
    sign()
    assert stored(second) == signed_second
    assert signatures.signed_upto() == Meeting.objects.order_by("-pk").first().pk
    # Nothing new since: a run looks at nothing and records nothing.
    events = AuditLog.objects.filter(event_type=AuditEvent.ORGLIFE_MINUTES_SIGNED).count()
    sign()
    assert AuditLog.objects.filter(event_type=AuditEvent.ORGLIFE_MINUTES_SIGNED).count() == events


def test_the_nightly_run_signs_the_minutes_last(world):
    first, second = copied_pair(world, 23)
    signed_second = stored(second)
    unsigned(second)
    signatures.record_progress(second.pk - 1, 0)
    assert JOBS[-1].key == "sign_minutes"
    (outcome,) = run_nightly(datetime.date.today(), only=("sign_minutes",))
    assert outcome.ran and stored(second) == signed_second


def test_signatures_stored_without_a_digest_get_theirs_lowest_first(world):
    """Signed before digests were stored (migration 0013): the job stores the digest the
    meeting services would have, the lowest meeting numbers first, and says how many; with none
    left it says nothing of digests."""
    first, second = copied_pair(world, 24)
    as_written = [
        bytes(m.minutes_digest)
        for m in Meeting.objects.filter(pk__in=[first.pk, second.pk]).order_by("pk")
    ]
    Meeting.objects.filter(pk__in=[first.pk, second.pk]).update(minutes_digest=None)
    assert sorted(signatures.undigested().values_list("pk", flat=True)) == [first.pk, second.pk]
    assert signatures.digest_signed_minutes(limit=1) == 1
    assert list(signatures.undigested().values_list("pk", flat=True)) == [second.pk]
    out = sign()
    assert "1 份会议记录的查重特征已生成摘要" in out
    assert not signatures.undigested().exists()
    digests = Meeting.objects.filter(pk__in=[first.pk, second.pk]).order_by("pk")
    assert [bytes(d) for d in digests.values_list("minutes_digest", flat=True)] == as_written
    assert "摘要" not in sign()
