"""Every ledger kind: importing the same file again reports no change and writes nothing (no
fact changes, no audit record besides the upload's own events)."""

import pytest

from dangjian.core.models import AuditLog
from dangjian.ledgers import specs

from .helpers import commit, upload
from .samples import load_prerequisites, samples, write_rows

pytestmark = pytest.mark.django_db


def test_every_ledger_kind_has_a_sample(world):
    assert set(samples(world)) == set(specs.LEDGERS)


@pytest.mark.parametrize("ledger", sorted(specs.LEDGERS))
def test_identical_reimport_changes_nothing(world, tmp_path, ledger):
    sample = samples(world)[ledger]
    load_prerequisites(world, tmp_path, sample)
    path = write_rows(tmp_path / f"{ledger}.xlsx", sample.rows)
    first = commit(world, upload(world, path, ledger))
    assert first.status == first.Status.COMMITTED, (first.message, first.preview["errors"])
    assert first.counts["new"] + first.counts["changed"] >= 1

    audit_before = AuditLog.objects.order_by("-pk").values_list("pk", flat=True).first()
    again = upload(world, path, ledger)
    rows = len(sample.rows)
    assert again.counts == {
        "new": 0,
        "changed": 0,
        "unchanged": rows,
        "invalid": 0,
        "rows": rows,
    }, again.preview["changes"]
    again = commit(world, again)
    assert again.message == "没有变化：系统中的台账已与此文件完全一致。"
    written = AuditLog.objects.filter(pk__gt=audit_before).exclude(
        object_type="ledgers.ledgerupload"
    )
    assert list(written.values_list("action", "event_type", "object_type")) == []
