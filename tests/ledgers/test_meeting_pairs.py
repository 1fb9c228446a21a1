"""A ledger import of meetings keeps the pairs of alike minutes (``orglife.services.pairs``)
once, at its end (``pairs.at_end``): the pairs across its chunks are all there, and on
PostgreSQL a secretary recording minutes while the import runs does not wait for it."""

import datetime
import random
import threading

import pytest
from django.db import connection

from dangjian.demo import minutes_text
from dangjian.ledgers.handlers.validity import MeetingHandler
from dangjian.orglife import services as orglife_services
from dangjian.orglife.models import Meeting, MinutePair
from dangjian.orglife.services import pairs
from dangjian.party.models import PartyOrganization

from .helpers import commit, upload, write_xlsx

DAY = datetime.date.today() - datetime.timedelta(days=40)
HEADERS = ["党组织名称", "会议类型", "召开日期", "主题", "会议记录摘要"]


def kept():
    return sorted(
        MinutePair.objects.values_list("first_id", "second_id", "k", "agreement", "similarity")
    )


def made_now():
    """The pairs all the signed minutes make, paired at once (what ``pairs.rebuild`` writes)."""
    return sorted((a, b, 5, agree, alike) for a, b, agree, alike in pairs.computed(5))


def workbook(world, tmp_path, seed=11, copies=5):
    """An original and its copies (some edited twice: under the kept floor or near it), a
    meeting a day."""
    rng = random.Random(seed)
    name = world.branch.name
    original = minutes_text.compose(rng, org=name, kind="study", day=DAY)
    texts = [original]
    for i in range(copies):
        text = minutes_text.copy_with_edits(rng, original, org_from=name, org_to=name, day=DAY)
        if i % 2:
            text = minutes_text.copy_with_edits(rng, text, org_from=name, org_to=name, day=DAY)
        texts.append(text)
    rows = [HEADERS] + [
        [name, "党课", (DAY + datetime.timedelta(days=i)).isoformat(), f"第{i}次", text]
        for i, text in enumerate(texts)
    ]
    return write_xlsx(tmp_path / "会议台账.xlsx", rows), original


@pytest.mark.django_db
def test_an_import_keeps_the_pairs_across_its_chunks(world, tmp_path, monkeypatch):
    monkeypatch.setattr(MeetingHandler, "chunk_size", 2)  # three chunks
    path, _ = workbook(world, tmp_path)
    item = commit(world, upload(world, path, ledger="meetings"))
    assert item.counts["new"] == 6
    ids = set(Meeting.objects.filter(party_organization=world.branch).values_list("pk", flat=True))
    mine = [(a, b) for a, b, *_ in kept() if a in ids and b in ids]
    # Pairs between meetings of different chunks (ids apart by two or more) are kept too.
    assert any(b - a >= 2 for a, b in mine)
    assert kept() == made_now()


@pytest.mark.django_db(transaction=True)
def test_a_secretary_records_minutes_while_an_import_runs(world, tmp_path, monkeypatch):
    """The import holds the pairs' lock only from its last step to its commit: a secretary of
    another branch recording alike minutes midway through it is not held up, and the pair
    between the two is kept (the import's last step reads the secretary's committed bands)."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises the whole database)")
    other = PartyOrganization.objects.create(
        name="测试乙商会党支部", kind="branch", federation=world.federation, valid_from=DAY
    )
    monkeypatch.setattr(MeetingHandler, "chunk_size", 2)
    path, original = workbook(world, tmp_path)
    item = upload(world, path, ledger="meetings")
    midway, recorded, waited = threading.Event(), threading.Event(), []
    real_create = MeetingHandler.create

    def create_and_pause(self, ctx, rows):
        made = real_create(self, ctx, rows)
        if not midway.is_set():  # after the first chunk's meetings and bands are written
            midway.set()
            waited.append(not recorded.wait(20))
        return made

    def run_import():
        from django.db import connection as thread_connection

        try:
            commit(world, item)
        finally:
            thread_connection.close()

    monkeypatch.setattr(MeetingHandler, "create", create_and_pause)
    importer = threading.Thread(target=run_import)
    importer.start()
    assert midway.wait(30)
    copy = minutes_text.copy_with_edits(
        random.Random(3), original, org_from=world.branch.name, org_to=other.name, day=DAY
    )
    theirs = orglife_services.record_meeting(
        other, kind=Meeting.Kind.STUDY, held_on=DAY, minutes=copy, actor=None
    )
    recorded.set()
    importer.join()
    assert waited == [False], "the secretary waited for the import to finish"
    item.refresh_from_db()
    assert item.counts["new"] == 6 and item.status == item.Status.COMMITTED
    assert any(theirs.pk in (a, b) for a, b, *_ in kept())
    assert kept() == made_now()
