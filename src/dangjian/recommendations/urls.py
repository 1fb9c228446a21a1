from django.urls import path

from dangjian.recommendations import views

app_name = "recommendations"
urlpatterns = [
    path("", views.letter_list, name="letter_list"),
    path("draft/", views.finding_select, name="finding_select"),
    path("letters/<int:pk>/", views.letter_detail, name="letter_detail"),
    path("letters/<int:pk>/download/", views.letter_download, name="letter_download"),
    path("letters/<int:pk>/<slug:step>/", views.letter_step, name="letter_step"),
]
