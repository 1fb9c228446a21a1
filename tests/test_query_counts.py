"""Every list page stays within its recorded number of queries (NetBox's query_counts.json).

The lists are walked from ``core.listspec.registry()`` — every ``ListSpec`` registers itself when
its app's URLconf is imported — so a new list is measured without being added here. Each is
fetched as its baseline persona (the federation officer, unless the spec says otherwise) on
the demo federation, first page, and the second request is counted (the first warms per-process
caches such as the rulebook).

A page that needs more queries than recorded fails: look for a missing ``select_related`` or a
query per row first. When the increase is intended, or after adding a list, regenerate:

    DANGJIAN_UPDATE_QUERY_COUNTS=1 PYTHONPATH=src .venv/bin/pytest tests/test_query_counts.py

and commit ``tests/query_counts.json`` (a count that went down is worth recording too).
"""

import json
import os
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.access import listspec

pytestmark = pytest.mark.django_db

BASELINE = Path(__file__).with_name("query_counts.json")
UPDATE = os.environ.get("DANGJIAN_UPDATE_QUERY_COUNTS") == "1"


def _specs() -> dict:
    return listspec.registry()


def _baseline() -> dict:
    return json.loads(BASELINE.read_text(encoding="utf-8")) if BASELINE.exists() else {}


def _record(key: str, count: int | None) -> None:
    counts = _baseline()
    if count is None:
        counts.pop(key, None)
    else:
        counts[key] = count
    BASELINE.write_text(
        json.dumps(dict(sorted(counts.items())), indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )


@pytest.mark.parametrize("key", sorted(_specs()))
def test_list_page_stays_within_its_query_count(persona_client, key):
    spec = _specs()[key]
    url = reverse(spec.url_name, args=spec.baseline_args() if spec.baseline_args else [])
    client = persona_client(spec.baseline_user)
    assert client.get(url, spec.baseline_query).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, spec.baseline_query)
    assert response.status_code == 200
    count = len(queries.captured_queries)
    if UPDATE:
        _record(key, count)
        return
    recorded = _baseline().get(key)
    assert recorded is not None, (
        f"{key} has no query-count baseline: run DANGJIAN_UPDATE_QUERY_COUNTS=1 pytest {__file__}"
    )
    sql = "\n".join(q["sql"][:200] for q in queries.captured_queries)
    assert count <= recorded, f"{key}: {count} queries, baseline {recorded}:\n{sql}"


def test_the_baseline_names_only_lists_that_exist():
    stale = set(_baseline()) - set(_specs())
    if UPDATE:
        for key in stale:
            _record(key, None)
        return
    assert not stale, f"baseline entries without a list: {sorted(stale)} (regenerate it)"
