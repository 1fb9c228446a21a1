from django.contrib import admin

from dangjian.core.audit import record_change, snapshot
from dangjian.core.models import AuditLog


class AuditedAdmin(admin.ModelAdmin):
    """Admin writes leave the same audit records as service calls."""

    def save_model(self, request, obj, form, change):
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
        super().save_model(request, obj, form, change)
        record_change(request.user, obj, before)

    def delete_model(self, request, obj):
        before = snapshot(obj)
        record_change(request.user, obj, before, deleted=True)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            record_change(request.user, obj, snapshot(obj), deleted=True)
        super().delete_queryset(request, queryset)


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_name", "action", "event_type", "object_type", "object_repr"]
    list_filter = ["action", "object_type", "event_type"]
    search_fields = ["actor_name", "object_repr", "request_id", "object_id"]
    date_hierarchy = "at"

    # Only the audit administrator reads the trail (三员分立), not even a superuser.
    def has_view_permission(self, request, obj=None):
        from dangjian.access import scope
        from dangjian.access.models import Action

        return scope.can(request.user, Action.AUDIT)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    # Append-only: nobody edits or deletes the trail through the admin.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
