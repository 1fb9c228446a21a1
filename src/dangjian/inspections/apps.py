from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "dangjian.inspections"
    label = "inspections"
    verbose_name = _("Inspections and evaluations")

    def ready(self):
        from dangjian.inspections import access_rules

        access_rules.register()
        from dangjian.inspections import home_panels

        home_panels.register_panels()
