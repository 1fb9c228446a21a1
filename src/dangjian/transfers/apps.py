from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransfersConfig(AppConfig):
    name = "dangjian.transfers"
    label = "transfers"
    verbose_name = _("Transfers of the organizational relation")

    def ready(self):
        from dangjian.transfers import timeline

        timeline.register()

        from dangjian.transfers import home_panels

        home_panels.register_panels()
