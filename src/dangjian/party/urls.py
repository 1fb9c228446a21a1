from django.urls import path

from dangjian.party import views

app_name = "party"
urlpatterns = [
    path("party-organizations/", views.party_organization_list, name="party_organization_list"),
    path(
        "party-organizations/<int:pk>/",
        views.party_organization_detail,
        name="party_organization_detail",
    ),
]
