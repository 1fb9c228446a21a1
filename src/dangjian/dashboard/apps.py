from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """Pages that read every domain at once, at the top of the layers: the unit profile
    (一户一档) and the dashboard with its big screen (issue 16), drawn from registered panels
    (``dashboard.panels``) and their nightly snapshots."""

    name = "dangjian.dashboard"
    label = "dashboard"
    verbose_name = _("Dashboard")

    def ready(self):
        from dangjian.dashboard import access_rules

        access_rules.register()
