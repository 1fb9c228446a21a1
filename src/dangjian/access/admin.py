from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin
from django.http import HttpRequest

from dangjian.access import scope
from dangjian.access.middleware import second_factor_missing
from dangjian.access.models import Action, RoleAssignment, UserSecurity
from dangjian.core.admin import AuditedAdmin
from dangjian.core.models import AuditLog, CalendarDay

if TYPE_CHECKING:
    _LogAdmin = admin.ModelAdmin[AuditLog]
else:  # ModelAdmin is generic only in django-stubs, not at run time
    _LogAdmin = admin.ModelAdmin

_staff_permission = admin.site.has_permission


def _staff_with_second_factor(request: HttpRequest) -> bool:
    # The middleware already signs such sessions out; the admin refuses them on its own too, so
    # it does not depend on the middleware's place in settings.MIDDLEWARE.
    return _staff_permission(request) and not second_factor_missing(request)


# The default site (its login view is replaced in dangjian.urls by the project's sign-in).
admin.site.has_permission = _staff_with_second_factor  # type: ignore[method-assign]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(AuditedAdmin):
    list_display = [
        "user",
        "role",
        "federation",
        "organization",
        "party_organization",
        "valid_from",
        "valid_to",
    ]
    list_filter = ["role"]
    search_fields = ["user__username"]
    autocomplete_fields = ["federation", "organization", "party_organization", "instructor"]


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedAdmin):
    """The holiday schedule of a year the built-in calendar does not know yet (core.workdays):
    entered once a year by an administrator, from the State Council's published notice."""

    list_display = ["day", "workday", "note"]
    list_filter = ["workday"]
    date_hierarchy = "day"


@admin.register(UserSecurity)
class UserSecurityAdmin(AuditedAdmin):
    """Lets an administrator force a password change or reset a lost second factor."""

    list_display = ["user", "must_change_password", "totp_enabled", "password_changed_at"]
    list_filter = ["must_change_password", "totp_enabled"]
    search_fields = ["user__username"]
    fields = ["user", "must_change_password", "totp_enabled", "password_changed_at"]
    readonly_fields = ["user", "password_changed_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # created with each account


@admin.register(AuditLog)
class AuditLogAdmin(_LogAdmin):
    list_display = ["at", "actor_name", "action", "event_type", "object_type", "object_repr"]
    list_filter = ["action", "object_type", "event_type"]
    search_fields = ["actor_name", "object_repr", "request_id", "object_id"]
    date_hierarchy = "at"

    # Only the audit administrator reads the trail (三员分立), not even a superuser.
    def has_view_permission(self, request: HttpRequest, obj: AuditLog | None = None) -> bool:
        return scope.can(request.user, Action.AUDIT)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    # Append-only: nobody edits or deletes the trail through the admin.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditLog | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditLog | None = None) -> bool:
        return False
