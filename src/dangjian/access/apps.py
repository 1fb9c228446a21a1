from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "dangjian.access"
    label = "access"
    verbose_name = _("Access and audit")

    def ready(self) -> None:
        from dangjian.access import home_panels, signals  # noqa: F401

        home_panels.register_panels()
