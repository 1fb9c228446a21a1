from django.urls import path

from dangjian.dues import views

app_name = "dues"
urlpatterns = [
    path("", views.index, name="index"),
    path("branches/<int:pk>/", views.branch, name="branch"),
    path("branches/<int:pk>/assess/", views.assess, name="assess"),
    path("branches/<int:pk>/hand-in/", views.hand_in_new, name="hand_in_new"),
    path("branches/<int:pk>/year/", views.year, name="year"),
    path("hand-ins/", views.hand_ins, name="hand_ins"),
    path("hand-ins/<int:pk>/receive/", views.hand_in_receive, name="hand_in_receive"),
    path("members/<int:pk>/", views.member, name="member"),
    path("receipts/<int:pk>/", views.receipt, name="receipt"),
    path("arrears/", views.arrears, name="arrears"),
    path("mine/", views.mine, name="mine"),
]
