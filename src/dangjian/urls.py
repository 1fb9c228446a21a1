from django.contrib import admin
from django.urls import include, path

from dangjian.access import export_views, invitation_views
from dangjian.access import views as access_views

admin.site.site_header = admin.site.site_title = "党建工作管理系统"
admin.site.index_title = "数据管理"

urlpatterns = [
    path("", access_views.home, name="home"),
    path("login/", access_views.SignInView.as_view(), name="login"),
    path("logout/", access_views.SignOutView.as_view(), name="logout"),
    path("login/second-factor/", access_views.sign_in_totp, name="login_totp"),
    path("account/password/", access_views.password_change, name="password_change"),
    path("account/second-factor/", access_views.totp_setup, name="totp_setup"),
    path("account/exports/", export_views.export_list, name="exports"),
    path(
        "account/exports/<int:pk>/download/", export_views.export_download, name="export_download"
    ),
    path("account/exports/<int:pk>/remove/", export_views.export_remove, name="export_remove"),
    path("account/invite/<int:pk>/", invitation_views.member_invite, name="member_invite"),
    path("account/join/<str:token>/", invitation_views.member_join, name="member_join"),
    path("audit/", include("dangjian.access.urls")),
    path("people/", include("dangjian.access.people_urls")),
    # Before admin.site.urls: Django's admin login would bypass the lockout and the second factor.
    path("admin/login/", access_views.admin_sign_in, name="admin_login"),
    path("admin/", admin.site.urls),
    path("", include("dangjian.registry.urls")),
    path("", include("dangjian.party.urls")),
    path("dues/", include("dangjian.dues.urls")),
    path("recruitment/", include("dangjian.recruitment.urls")),
    path("transfers/", include("dangjian.transfers.urls")),
    path("rules/", include("dangjian.rules.urls")),
    path("dashboard/", include("dangjian.dashboard.urls")),
    path("ledgers/", include("dangjian.ledgers.urls")),
    path("applications/", include("dangjian.applications.urls")),
    path("recognition/", include("dangjian.recognition.urls")),
    path("inspections/", include("dangjian.inspections.urls")),
    path("recommendations/", include("dangjian.recommendations.urls")),
    path("cases/", include("dangjian.cases.urls")),
    path("orglife/", include("dangjian.orglife.urls")),
    path("notices/", include("dangjian.notices.urls")),
]
