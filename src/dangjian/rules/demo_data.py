"""The rules' part of the demo: run the rulebook as of the demo's day (so the worklist shows the
deliberate problems) and keep month-end coverage snapshots since the federation's founding (so
the coverage page has its trend)."""

from dangjian.rules.coverage import take_monthly_snapshots
from dangjian.rules.engine import Engine


def build(federation, today, rng):
    root = federation.parent or federation
    Engine(root, today).run()
    take_monthly_snapshots(federation, end=today)
