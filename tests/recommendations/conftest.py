import datetime

import pytest


@pytest.fixture
def demo_findings(demo_federation):
    """The demo federation's findings, as the rules engine writes them (run inside the test's
    transaction, so rolled back afterwards)."""
    engine = pytest.importorskip("dangjian.rules.engine")
    engine.run_rulebook(demo_federation, datetime.date.today())
    from dangjian.rules.models import Finding

    return Finding.objects.filter(federation__path__startswith=demo_federation.path)
