from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RulesConfig(AppConfig):
    name = "dangjian.rules"
    label = "rules"
    verbose_name = _("Rules and coverage")

    def ready(self):
        from django.db.models.signals import post_migrate

        from dangjian.core import touch
        from dangjian.rules import access_rules, coverage_triggers, freshness, tasks

        # The skip cache's change counts: triggers on every input table, (re)installed after
        # each migrate (a migration that rebuilds a table on SQLite drops its triggers).
        post_migrate.connect(
            freshness.install_triggers, sender=self, dispatch_uid="rules.install_triggers"
        )
        # The kept coverage figures' journal of changed units, likewise.
        post_migrate.connect(
            coverage_triggers.install_triggers, sender=self, dispatch_uid="rules.coverage_triggers"
        )

        access_rules.register()
        if tasks.on_touch not in touch.listeners:
            touch.listeners.append(tasks.on_touch)
        from dangjian.rules import home_panels

        home_panels.register_panels()
