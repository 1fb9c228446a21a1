"""Each persona's home page stays within its recorded number of queries (as the list pages do
in tests/test_query_counts.py): a panel that starts reading per row shows up here first.

After an intended change (a new panel), regenerate and commit ``home_query_counts.json``:

    DANGJIAN_UPDATE_QUERY_COUNTS=1 .venv/bin/pytest tests/home/test_home_query_counts.py
"""

import json
import os
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.demo.personas import PERSONAS

pytestmark = pytest.mark.django_db

BASELINE = Path(__file__).with_name("home_query_counts.json")
UPDATE = os.environ.get("DANGJIAN_UPDATE_QUERY_COUNTS") == "1"


def _baseline() -> dict:
    return json.loads(BASELINE.read_text(encoding="utf-8")) if BASELINE.exists() else {}


@pytest.mark.parametrize("persona", [p["username"] for p in PERSONAS])
def test_home_page_stays_within_its_query_count(persona_client, persona):
    client = persona_client(persona)
    assert client.get(reverse("home")).status_code == 200  # warms per-process caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    count = len(queries.captured_queries)
    key = f"home:{persona}"
    if UPDATE:
        counts = {**_baseline(), key: count}
        BASELINE.write_text(json.dumps(dict(sorted(counts.items())), indent=2) + "\n")
        return
    recorded = _baseline().get(key)
    assert recorded is not None, f"{key} has no baseline: run with DANGJIAN_UPDATE_QUERY_COUNTS=1"
    sql = "\n".join(q["sql"][:200] for q in queries.captured_queries)
    assert count <= recorded, f"{key}: {count} queries, baseline {recorded}:\n{sql}"
