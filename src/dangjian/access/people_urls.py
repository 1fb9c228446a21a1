from django.urls import path

from dangjian.access import people_views

app_name = "people"
urlpatterns = [
    path("", people_views.people_list, name="list"),
    path("invite/", people_views.invite, name="invite"),
    path(
        "invitations/<int:pk>/withdraw/", people_views.invitation_revoke, name="invitation_revoke"
    ),
    path("<int:pk>/", people_views.person, name="detail"),
    path("<int:pk>/roles/<int:grant_pk>/end/", people_views.role_end, name="role_end"),
    path("<int:pk>/account/", people_views.deactivate, name="deactivate"),
]
