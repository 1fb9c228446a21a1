from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """Pages that read every domain at once, at the top of the layers: the unit profile
    (一户一档) today; the overview dashboard of a later issue will live here too."""

    name = "dangjian.dashboard"
    label = "dashboard"
    verbose_name = _("Dashboard")
