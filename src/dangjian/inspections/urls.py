from django.urls import path

from dangjian.inspections import views

app_name = "inspections"
urlpatterns = [
    path("", views.inspection_list, name="inspection_list"),
    path("<int:org_pk>/<int:year>/", views.inspection_edit, name="inspection_edit"),
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/new/", views.visit_create, name="visit_create"),
    path("grades/", views.grade_list, name="grade_list"),
    path("grades/new/", views.grade_edit, name="grade_create"),
    path("grades/<int:pk>/", views.grade_detail, name="grade_detail"),
    path("grades/<int:pk>/edit/", views.grade_edit, name="grade_edit"),
    path("grades/settings/", views.grading_settings, name="grading_settings"),
]
