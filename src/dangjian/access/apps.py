from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "dangjian.access"
    label = "access"
    verbose_name = _("Access and audit")

    def ready(self) -> None:
        from dangjian.access import (  # noqa: F401
            access_rules,
            background_exports,
            home_panels,
            people,
            scope,
            signals,
        )
        from dangjian.access.models import ExportFile, RoleAssignment, RoleInvitation

        access_rules.register()
        scope.register(RoleAssignment, people.role_assignments)
        scope.register(RoleInvitation, people.invitations)
        scope.register(ExportFile, background_exports.owned)
        home_panels.register_panels()
