from django.urls import path

from dangjian.recognition import views

app_name = "recognition"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("designations/new/", views.designation_new, name="designation_new"),
    path("designations/<int:pk>/revoke/", views.designation_revoke, name="designation_revoke"),
    path("new/", views.recognition_new, name="recognition_new"),
    path("<int:pk>/revoke/", views.recognition_revoke, name="recognition_revoke"),
    path("units/<int:pk>/", views.unit, name="unit"),
]
