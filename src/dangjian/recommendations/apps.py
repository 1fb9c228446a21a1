from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecommendationsConfig(AppConfig):
    name = "dangjian.recommendations"
    label = "recommendations"
    verbose_name = _("Handling recommendations")

    def ready(self):
        from dangjian.recommendations import access_rules

        access_rules.register()
        from dangjian.recommendations import home_panels

        home_panels.register_panels()
