from django.contrib import admin

from dangjian.core.audit import record_change, snapshot


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
