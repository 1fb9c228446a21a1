from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RulesConfig(AppConfig):
    name = "dangjian.rules"
    label = "rules"
    verbose_name = _("Rules and coverage")

    def ready(self):
        from dangjian.core import touch
        from dangjian.rules import access_rules, tasks

        access_rules.register()
        if tasks.on_touch not in touch.listeners:
            touch.listeners.append(tasks.on_touch)
        from dangjian.rules import home_panels

        home_panels.register_panels()
