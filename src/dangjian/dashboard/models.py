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
