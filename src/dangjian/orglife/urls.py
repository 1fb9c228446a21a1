from django.urls import path

from dangjian.orglife import views

app_name = "orglife"
urlpatterns = [
    path("", views.workspace, name="workspace"),
    path("mine/", views.mine, name="mine"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_plan, name="meeting_plan"),
    path("elections/new/", views.election_record, name="election_record"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/record/", views.meeting_record, name="meeting_record"),
    path("meetings/<int:pk>/delete/", views.meeting_delete, name="meeting_delete"),
    path("meetings/<int:pk>/qr/", views.meeting_qr, name="meeting_qr"),
    path("meetings/<int:pk>/sign-in/<str:token>/", views.meeting_sign_in, name="meeting_sign_in"),
    path("meetings/<int:pk>/files/", views.attachment_add, name="attachment_add"),
    path(
        "meetings/<int:pk>/files/<int:file_pk>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path(
        "meetings/<int:pk>/files/<int:file_pk>/remove/",
        views.attachment_remove,
        name="attachment_remove",
    ),
]
