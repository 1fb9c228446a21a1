"""The indexes the migrations that use ``core.indexes`` leave (rules 0014 and 0017, orglife
0016): every index is written again for each of the tens of thousands of findings a run
creates and each of the 10^5 meetings an import adds, so none may stand alone on a column that
another index of its table begins with, or on one no read filters by alone."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def _indexes(table: str) -> list[list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return [c["columns"] for c in constraints.values() if c["index"] or c["unique"]]


@pytest.mark.parametrize(
    "column",
    [
        "rule_id",
        "federation_id",
        "organization_id",
        "party_organization_id",
        "status",
        "status_changed_by_id",
    ],
)
def test_no_finding_index_on_a_column_alone(column):
    assert [column] not in _indexes("rules_finding")


@pytest.mark.parametrize(
    "columns",
    [
        ["rule_id", "subject_key", "period_key"],  # the (rule, subject, period) key
        ["federation_id", "status", "rule_id"],  # a federation's worklist by status
        ["organization_id", "status"],
        ["party_organization_id", "status"],
        ["rule_id", "id"],  # the worklist's keyset order
        ["rule_id", "updated_at", "id"],  # each run's digest
    ],
)
def test_the_reads_keep_their_indexes(columns):
    assert columns in _indexes("rules_finding")


def test_observations_and_status_changes_indexed_by_their_finding_first():
    # Every read of the runs of observations goes by finding (rules 0018 dropped the day's).
    observations = [c for c in _indexes("rules_findingobservation") if c != ["id"]]
    assert observations == [["finding_id", "as_of"]]
    changes = _indexes("rules_findingstatuschange")
    assert ["finding_id"] not in changes
    assert ["finding_id", "at"] in changes


# -- the meetings and their yearly counts (orglife 0016) ----------------------


@pytest.mark.parametrize(
    ("table", "leading"),
    [
        ("orglife_meeting", ["party_organization_id", "held_on"]),  # orglife_meeting_org_day
        ("orglife_meetingcount", ["party_organization_id", "kind", "year"]),
    ],
)
def test_the_party_organization_is_indexed_first_not_alone(table, leading):
    found = _indexes(table)
    assert ["party_organization_id"] not in found
    assert any(columns[: len(leading)] == leading for columns in found)
