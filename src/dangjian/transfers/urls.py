from django.urls import path

from dangjian.transfers import views

app_name = "transfers"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("receive/", views.receive, name="receive"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/accept/", views.accept, name="accept"),
    path("<int:pk>/receipt/", views.receipt, name="receipt"),
    path("<int:pk>/receipt-sent/", views.receipt_sent, name="receipt_sent"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/national/", views.national, name="national"),
    path("<int:pk>/letter.docx", views.letter, name="letter"),
    path("flowing/", views.flowing, name="flowing"),
    path("flowing/new/", views.flowing_new, name="flowing_new"),
    path("out-of-contact/", views.lost, name="lost"),
    path("members/<int:pk>/", views.member, name="member"),
]
