"""The dashboard's nightly snapshots: each panel's figures for a federation on a day, computed
by ``dangjian dashboard_snapshot`` (``services.take_snapshots``) so that a view reads one row
per panel instead of recomputing over every unit, member and meeting."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.registry.models import Federation


class PanelSnapshot(models.Model):
    federation = models.ForeignKey(
        Federation, verbose_name=_("federation"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("as of"))
    panel = models.CharField(_("panel"), max_length=32)
    data = models.JSONField(_("figures"), default=dict)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("dashboard snapshot")
        verbose_name_plural = _("dashboard snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["federation", "day", "panel"], name="dashboard_snapshot_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.federation} · {self.day} · {self.panel}"


class NightlyLock(models.Model):
    """The one row that says a ``dangjian nightly`` run is under way (``scheduled.nightly_lock``):
    claimed by inserting it (the primary key is the lock's name, so a second insert fails on
    either database), refreshed after each job, deleted when the run ends. A row whose run
    crashed is recognised by its heartbeat growing old, or at once on the same host by its
    process being gone, and is taken over."""

    name = models.CharField(primary_key=True, max_length=32)
    # A random value per claim: the release and the heartbeat touch the row only if it is still
    # this claim's (a run whose lock was taken over as stale must not delete its successor's).
    token = models.CharField(max_length=32)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    heartbeat_at = models.DateTimeField()

    class Meta:
        verbose_name = _("nightly run lock")
        verbose_name_plural = _("nightly run locks")

    def __str__(self) -> str:
        return f"{self.name} · {self.host}:{self.pid}"
