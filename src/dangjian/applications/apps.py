from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "dangjian.applications"
    label = "applications"
    verbose_name = _("Membership applications")

    def ready(self):
        from dangjian.applications import access_rules

        access_rules.register()
        from dangjian.applications import home_panels

        home_panels.register_panels()
