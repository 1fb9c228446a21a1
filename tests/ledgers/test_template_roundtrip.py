"""Every ledger kind through the pages an officer uses: the ledger page offers its template,
the downloaded template filled in and uploaded is checked, and importing it writes it."""

import io

import openpyxl
import pytest
from django.urls import reverse

from dangjian.ledgers import specs
from dangjian.ledgers.models import LedgerUpload

from .samples import load_prerequisites, samples

pytestmark = pytest.mark.django_db


def test_the_ledger_page_offers_every_template_and_ledger(world):
    page = world.client.get(reverse("ledgers:index")).content.decode()
    for key, ledger in specs.LEDGERS.items():
        assert reverse("ledgers:template", args=[key]) in page
        assert ledger.title in page
        assert f'<option value="{key}"' in page  # the upload form's ledger choice


def filled_template(client, ledger: str, rows: list[dict]) -> bytes:
    response = client.get(reverse("ledgers:template", args=[ledger]))
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    ws = wb.worksheets[0]
    headers = [str(c.value).rstrip("*") for c in ws[1] if c.value]
    for c in range(1, ws.max_column + 1):  # the example row
        ws.cell(2, c).value = None
    for r, row in enumerate(rows, start=2):
        for header, value in row.items():
            ws.cell(r, headers.index(header) + 1, value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize("ledger", sorted(specs.LEDGERS))
def test_template_round_trip(world, tmp_path, ledger):
    sample = samples(world)[ledger]
    load_prerequisites(world, tmp_path, sample)
    file = io.BytesIO(filled_template(world.client, ledger, sample.rows))
    file.name = f"{specs.LEDGERS[ledger].title}.xlsx"
    response = world.client.post(
        reverse("ledgers:upload"),
        {"ledger": ledger, "federation": world.federation.pk, "file": file},
    )
    assert response.status_code == 302
    item = LedgerUpload.objects.filter(federation=world.federation, ledger=ledger).latest("pk")
    assert item.status == LedgerUpload.Status.VALIDATED, item.message
    assert item.mapping["template_version"] == specs.TEMPLATE_VERSION
    assert item.counts["invalid"] == 0, item.preview["errors"]
    assert item.counts["rows"] == len(sample.rows)
    page = world.client.get(response["Location"]).content.decode()
    assert 'id="commit"' in page
    world.client.post(reverse("ledgers:commit", args=[item.pk]))
    item.refresh_from_db()
    assert item.status == LedgerUpload.Status.COMMITTED, item.message
