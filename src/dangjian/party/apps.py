from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartyConfig(AppConfig):
    name = "dangjian.party"
    label = "party"
    verbose_name = _("Party ledger")

    def ready(self):
        from dangjian.party import home_panels, timeline  # noqa: F401  (registers the ledger's own entries)

        home_panels.register_panels()
