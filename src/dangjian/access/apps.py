from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "dangjian.access"
    label = "access"
    verbose_name = _("Access and audit")

    def ready(self) -> None:
        from dangjian.access import access_rules, home_panels, people, scope, signals  # noqa: F401
        from dangjian.access.models import RoleAssignment, RoleInvitation

        access_rules.register()
        scope.register(RoleAssignment, people.role_assignments)
        scope.register(RoleInvitation, people.invitations)
        home_panels.register_panels()
