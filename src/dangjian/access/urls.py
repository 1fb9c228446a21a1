from django.urls import path

from dangjian.access import audit_views

app_name = "access"
urlpatterns = [
    path("", audit_views.audit_list, name="audit_list"),
    path("export.csv", audit_views.audit_export, name="audit_export"),
]
