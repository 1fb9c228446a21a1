from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecognitionConfig(AppConfig):
    name = "dangjian.recognition"
    label = "recognition"
    verbose_name = _("Honours and recognition")

    def ready(self):
        from dangjian.recognition import access_rules

        access_rules.register()
