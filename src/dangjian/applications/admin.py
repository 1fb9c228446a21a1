"""Joining and formation records in the admin: shown for support, changed only through the
workflow's pages (``applications.services``)."""

from django.contrib import admin

from dangjian.applications.models import (
    Application,
    FormationCase,
    InstructorDossier,
    Invitation,
    StatusChange,
)
from dangjian.core.admin import ReadOnlyAdmin


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "federation", "created_at"]
    list_filter = ["federation"]


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "federation", "status", "created_at"]
    list_filter = ["status", "federation"]
    show_full_result_count = False


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "at"]


@admin.register(FormationCase)
class FormationCaseAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "mode", "status", "created_at"]
    list_filter = ["status", "kind", "mode"]


@admin.register(InstructorDossier)
class InstructorDossierAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "federation"]
