"""The demo generator's synthetic units look like real ones to the rulebook: most are healthy,
and each problem affects a few percent (the benchmark's findings are not an artefact of missing
inspections, charters or decisions). Their personal data are real ciphertexts."""

from __future__ import annotations

import datetime
import io
from collections import Counter

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from dangjian.core import crypto
from dangjian.demo import synthetic
from dangjian.governance.models import CharterRevision, MajorDecision
from dangjian.inspections.models import AnnualInspection
from dangjian.orglife import similarity
from dangjian.orglife.models import Meeting
from dangjian.orglife.services import signatures
from dangjian.party.models import PartyMember
from dangjian.registry.models import Organization
from dangjian.rules.engine import Engine

UNITS = 400


@pytest.fixture(autouse=True)
def fixed_day():
    """One day for every run: the generator draws its random numbers along the calendar (the
    meetings up to today), so the same seed gives other units on another day — and on some
    days 51 copied-minutes findings at 400 units, on others 31. The counts asserted here are
    those of one data set, the same every day the suite runs."""
    noon = datetime.datetime(2026, 12, 5, 12, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    with time_machine.travel(noon):
        yield


def test_synthetic_units_are_mostly_healthy(world):
    synthetic.generate(world.fed, UNITS, seed=11, progress=False)
    units = Organization.objects.filter(memberships__federation=world.fed)
    assert units.count() == UNITS
    assert AnnualInspection.objects.filter(organization__in=units).exists()
    assert CharterRevision.objects.filter(organization__in=units).count() >= UNITS
    assert MajorDecision.objects.filter(organization__in=units).exists()
    found = Engine(world.fed, datetime.date.today()).evaluate()
    counts = Counter({rule_id: len(cs) for rule_id, cs in found.items()})
    # Before: every synthetic unit had 2–3 findings (no reports, no charter, no relations).
    assert sum(counts.values()) < 0.6 * UNITS, counts
    for rule_id, n in counts.items():
        assert n <= 0.1 * UNITS, (rule_id, n)
    assert counts["dormancy.dormant_society"] <= 0.03 * UNITS
    # A few branches copied some of their last year's minutes: found, and only those.
    assert 0 < counts["integrity.minutes_copied"] <= 0.1 * UNITS
    flagged = {
        c.organization_id for cs in found.values() for c in cs if c.organization_id is not None
    }
    assert len(flagged) < 0.35 * UNITS
    # The raw writer stores each signature's digest, as the meeting services do; the rule
    # finds the same pairs from the signatures alone (meetings signed before digests were),
    # and from the digests ``dangjian sign_minutes`` stores for those.
    signed = Meeting.objects.exclude(minutes_signature=b"")
    assert signed.count() > UNITS
    assert not signatures.undigested().exists()
    for blob, digest in signed.values_list("minutes_signature", "minutes_digest")[:50]:
        assert bytes(digest) == similarity.digest_of(blob)
    copied = _copied(found["integrity.minutes_copied"])
    Meeting.objects.update(minutes_digest=None)
    rule = ["integrity.minutes_copied"]
    assert _copied(Engine(world.fed, datetime.date.today(), rule_ids=rule).evaluate()[rule[0]]) == (
        copied
    )
    call_command("sign_minutes", "--no-progress", stdout=io.StringIO())
    assert not signatures.undigested().exists()
    assert _copied(Engine(world.fed, datetime.date.today(), rule_ids=rule).evaluate()[rule[0]]) == (
        copied
    )


def _copied(candidates) -> list[tuple[str, str]]:
    return sorted((c.period_key, c.explanation) for c in candidates)


def test_synthetic_members_are_encrypted_and_indexed(world):
    synthetic.generate(world.fed, 30, seed=12, progress=False)
    members = list(
        PartyMember.objects.filter(
            employments__organization__memberships__federation=world.fed
        ).distinct()[:20]
    )
    assert members
    table = PartyMember._meta.db_table
    with connection.cursor() as cursor:
        for member in members:
            assert len(member.id_number) == 18  # decrypted on load
            assert member.id_number_hash == crypto.blind_index(member.id_number)
            cursor.execute(f"SELECT id_number FROM {table} WHERE id = %s", [member.pk])  # noqa: S608
            (stored,) = cursor.fetchone()
            assert stored.startswith("enc1:") and member.id_number not in stored
            assert crypto.decrypt(stored) == member.id_number
