from django.urls import path

from dangjian.notices import views

app_name = "notices"
urlpatterns = [
    path("", views.notice_list, name="notice_list"),
    path("new/", views.notice_new, name="notice_new"),
    path("inbox/", views.inbox, name="inbox"),
    path("<int:pk>/", views.notice_detail, name="notice_detail"),
    path("<int:pk>/edit/", views.notice_edit, name="notice_edit"),
    path("<int:pk>/publish/", views.notice_publish, name="notice_publish"),
    path("<int:pk>/withdraw/", views.notice_withdraw, name="notice_withdraw"),
    path("<int:pk>/republish/", views.notice_republish, name="notice_republish"),
    path("<int:pk>/receipts/", views.receipt_list, name="receipt_list"),
    path("receipts/<int:pk>/sign/", views.receipt_sign, name="receipt_sign"),
    path("receipts/<int:pk>/leave/", views.receipt_leave, name="receipt_leave"),
    path("receipts/<int:pk>/feedback/", views.receipt_feedback, name="receipt_feedback"),
    path("receipts/<int:pk>/review/", views.receipt_review, name="receipt_review"),
    path("files/<int:pk>/", views.file_download, name="file_download"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/seen/", views.notifications_seen, name="notifications_seen"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("bell/", views.bell, name="bell"),
    path("duties/", views.duty_list, name="duty_list"),
    path("duties/new/", views.duty_new, name="duty_new"),
    path("duties/<int:pk>/", views.duty_edit, name="duty_edit"),
    path("duties/<int:pk>/end/", views.duty_end, name="duty_end"),
]
