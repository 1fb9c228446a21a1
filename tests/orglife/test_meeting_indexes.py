"""The meetings' and their yearly counts' indexes as orglife 0016 leaves them: no index on the
party organization alone, since an index of each table begins with it (every index is written
again for each of the 10^5 meetings an import adds)."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def _indexes(table: str) -> list[list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return [c["columns"] for c in constraints.values() if c["index"] or c["unique"]]


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
