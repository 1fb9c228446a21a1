from django.urls import path

from dangjian.party import member_views, views

app_name = "party"
urlpatterns = [
    path("party-organizations/", views.party_organization_list, name="party_organization_list"),
    path("party-organizations/terms/", views.terms_to_renew, name="terms_to_renew"),
    path(
        "party-organizations/<int:pk>/",
        views.party_organization_detail,
        name="party_organization_detail",
    ),
    path("members/", member_views.member_list, name="member_list"),
    path("members/duplicates/", member_views.duplicate_members, name="duplicate_members"),
    path("members/<int:pk>/", member_views.member_detail, name="member_detail"),
    path("members/<int:pk>/file/", member_views.member_file, name="member_file"),
    path("members/<int:pk>/reveal/", member_views.reveal_id_number, name="member_reveal"),
    path("members/<int:pk>/export/", member_views.member_export, name="member_export"),
    path("members/<int:pk>/anonymise/", member_views.member_anonymise, name="member_anonymise"),
]
