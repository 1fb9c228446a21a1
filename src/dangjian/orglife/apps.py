from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrglifeConfig(AppConfig):
    name = "dangjian.orglife"
    label = "orglife"
    verbose_name = _("Organizational life")

    def ready(self):
        from dangjian.orglife import timeline

        timeline.register()
        from dangjian.orglife import home_panels

        home_panels.register_panels()
