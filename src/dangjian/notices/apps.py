from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "dangjian.notices"
    label = "notices"
    verbose_name = _("Notices")

    def ready(self):
        from dangjian.notices import access_rules

        access_rules.register()

        from dangjian.notices import home_panels

        home_panels.register_panels()
