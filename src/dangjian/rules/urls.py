from django.urls import path

from dangjian.rules import views

app_name = "rules"
urlpatterns = [
    path("", views.rulebook_page, name="rulebook"),
    path("overrides/", views.override_save, name="override_save"),
    path("findings/", views.finding_list, name="finding_list"),
    path("findings/bulk/", views.finding_bulk, name="finding_bulk"),
    path("findings/<int:pk>/", views.finding_detail, name="finding_detail"),
    path("runs/", views.run_start, name="run_start"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("coverage/", views.coverage_page, name="coverage"),
    path("coverage/units/", views.coverage_units, name="coverage_units"),
]
