from django.urls import path

from dangjian.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.index, name="index"),
    path("screen/", views.screen, name="screen"),
    path("data/", views.data, name="data"),
]
