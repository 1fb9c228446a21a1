from django.urls import path

from dangjian.ledgers import views

app_name = "ledgers"
urlpatterns = [
    path("", views.index, name="index"),
    path("templates/<slug:ledger>.xlsx", views.template_download, name="template"),
    path("upload/", views.upload, name="upload"),
    path("uploads/<int:pk>/", views.detail, name="detail"),
    path("uploads/<int:pk>/progress/", views.progress, name="progress"),
    path("uploads/<int:pk>/mapping/", views.remap, name="remap"),
    path("uploads/<int:pk>/commit/", views.commit, name="commit"),
    path("uploads/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("uploads/<int:pk>/errors.xlsx", views.error_workbook, name="error_workbook"),
    path("export/organizations.xlsx", views.export_organizations, name="export_organizations"),
    path("export/members.xlsx", views.export_members, name="export_members"),
    path("export/coverage.xlsx", views.export_coverage, name="export_coverage"),
    path("export/dues.xlsx", views.export_dues, name="export_dues"),
    path("export/life/<slug:ledger>.xlsx", views.export_lifecycle, name="export_lifecycle"),
]
