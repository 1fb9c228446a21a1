from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DuesConfig(AppConfig):
    name = "dangjian.dues"
    label = "dues"
    verbose_name = _("Party dues")

    def ready(self):
        from dangjian.dues import timeline

        timeline.register()
        from dangjian.dues import home_panels

        home_panels.register_panels()
