from django.urls import path

from dangjian.recruitment import views

app_name = "recruitment"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("branches/<int:pk>/", views.branch, name="branch"),
    path("<int:pk>/", views.applicant, name="applicant"),
    path("<int:pk>/record/", views.record, name="record"),
    path("<int:pk>/stop/", views.stop, name="stop"),
]
