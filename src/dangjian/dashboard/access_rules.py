"""Who sees the dashboard's snapshots: those who may see their federation (its officers, the
officers above it, the administrator) — the same people who may open its dashboard."""

from dangjian.access import scope

from .models import PanelSnapshot


def snapshots(user, action):
    return PanelSnapshot.objects.filter(federation__in=scope.federations(user, action).values("pk"))


def register() -> None:
    scope.register(PanelSnapshot, snapshots)
