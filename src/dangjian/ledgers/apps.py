from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgersConfig(AppConfig):
    name = "dangjian.ledgers"
    label = "ledgers"
    verbose_name = _("Excel ledgers")

    def ready(self):
        from dangjian.ledgers import access_rules

        access_rules.register()
