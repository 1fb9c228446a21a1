from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "dangjian.registry"
    label = "registry"
    verbose_name = _("Federation registry")

    def ready(self):
        from dangjian.registry import home_panels

        home_panels.register_panels()
