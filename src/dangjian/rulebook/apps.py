from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class RulebookConfig(AppConfig):
    """The rulebook: the YAML, its loader, parameters, periods, deadlines and federation
    overrides. Every domain app may read it; it imports only ``dangjian.core``."""

    name = "dangjian.rulebook"
    label = "rulebook"
    verbose_name = _("Rulebook")

    def ready(self) -> None:
        from dangjian.rulebook.checks import national_overrides

        checks.register(national_overrides)
