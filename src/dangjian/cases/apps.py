from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "dangjian.cases"
    label = "cases"
    verbose_name = _("Case collection")

    def ready(self):
        from dangjian.cases import access_rules

        access_rules.register()
        from dangjian.cases import home_panels

        home_panels.register_panels()
