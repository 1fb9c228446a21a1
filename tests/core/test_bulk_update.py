"""``core.bulk.update``: rows updated by primary key with the values converted as ``insert``
converts them — a date, a timestamp, JSON with Chinese text, a foreign key by its column name —
plus an SQL assignment the same for every row; read back through the ORM."""

import datetime

import pytest
from django.utils import timezone

from dangjian.core import bulk
from dangjian.registry.models import Federation, Organization
from dangjian.rules.models import Finding

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 3, 2)


def _finding(federation, name: str) -> Finding:
    org = Organization.objects.create(
        name=name,
        legal_form=Organization.LegalForm.SOCIAL_GROUP,
        category=Organization.Category.ASSOCIATION,
        supervising_unit="测试主管单位",
        registration_authority="测试民政局",
    )
    return Finding.objects.create(
        rule_id="dormancy.dormant_society",
        federation=federation,
        organization=org,
        subject_key=f"o{org.pk}",
        severity="serious",
        explanation="连续两年未报送年度工作报告。",
        first_seen=DAY,
        last_seen=DAY,
    )


def test_rows_are_updated_by_key_with_each_value_converted():
    one = Federation.objects.create(
        name="甲联合会", short_name="甲网联", letter_prefix="甲", level="city"
    )
    two = Federation.objects.create(
        name="乙联合会", short_name="乙网联", letter_prefix="乙", level="city"
    )
    a, b, untouched = (_finding(one, n) for n in ("甲协会", "乙协会", "丙协会"))
    now = timezone.now().replace(microsecond=0)
    bulk.update(
        Finding,
        ["last_seen", "evidence", "explanation", "federation_id", "updated_at"],
        [
            (
                a.pk,
                [DAY + datetime.timedelta(days=1), {"单位": "甲协会", "n": 1}, "甲", two.pk, now],
            ),
            (
                b.pk,
                [DAY + datetime.timedelta(days=2), {"单位": "乙协会", "n": 2}, "乙", one.pk, now],
            ),
        ],
        extra="version = version + 1",
    )
    a.refresh_from_db()
    b.refresh_from_db()
    untouched.refresh_from_db()
    assert (a.last_seen, a.evidence, a.explanation, a.federation_id, a.updated_at) == (
        DAY + datetime.timedelta(days=1),
        {"单位": "甲协会", "n": 1},
        "甲",
        two.pk,
        now,
    )
    assert (b.last_seen, b.evidence, b.federation_id) == (
        DAY + datetime.timedelta(days=2),
        {"单位": "乙协会", "n": 2},
        one.pk,
    )
    assert (a.version, b.version, untouched.version) == (2, 2, 1)
    assert untouched.last_seen == DAY and untouched.explanation == "连续两年未报送年度工作报告。"
    # JSON lookups see the stored document (not a string holding one).
    assert Finding.objects.filter(evidence__n=2).get() == b
    bulk.update(Finding, ["explanation"], [])  # nothing to do


def test_a_name_without_a_column_is_refused():
    with pytest.raises(ValueError, match="no column"):
        bulk.update(Finding, ["observations"], [(1, ["x"])])


def test_a_key_given_twice_keeps_its_last_values_and_nulls_are_written():
    """On PostgreSQL the rows go in one statement (arrays): the last values of a key win, as
    they did one statement after another, and a None clears the column."""
    fed = Federation.objects.create(
        name="丁联合会", short_name="丁网联", letter_prefix="丁", level="city"
    )
    finding = _finding(fed, "丁协会")
    bulk.update(
        Finding,
        ["last_seen", "explanation", "resolved_on"],
        [(finding.pk, [DAY, "先", DAY]), (finding.pk, [DAY, "后", None])],
    )
    finding.refresh_from_db()
    assert (finding.explanation, finding.resolved_on) == ("后", None)
