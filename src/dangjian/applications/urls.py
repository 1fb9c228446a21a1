from django.urls import path, re_path

from dangjian.applications.views import formation, instructors, public, review

app_name = "applications"
urlpatterns = [
    # The applicant's side: no sign-in; the token in the path is the credential.
    path("apply/<str:token>/", public.apply, name="apply"),
    path("draft/<str:token>/", public.apply_edit, name="apply_edit"),
    path("validate/<str:field>/", public.validate_field, name="validate_field"),
    path("members-template.xlsx", public.members_template, name="members_template"),
    # The federation's review.
    path("", review.application_list, name="application_list"),
    path("<int:pk>/", review.application_detail, name="application_detail"),
    path("<int:pk>/edit/", review.application_edit, name="application_edit"),
    path("<int:pk>/reissue-link/", review.application_reissue, name="application_reissue"),
    re_path(
        r"^(?P<pk>\d+)/(?P<decision>approve|return|reject)/$",
        review.application_decide,
        name="application_decide",
    ),
    path("invitations/", review.invitation_list, name="invitation_list"),
    path("invitations/<int:pk>/revoke/", review.invitation_revoke, name="invitation_revoke"),
    # Formation cases.
    path("formation/", formation.formation_list, name="formation_list"),
    path("formation/new/", formation.formation_open, name="formation_open"),
    path("formation/<int:pk>/", formation.formation_detail, name="formation_detail"),
    path("formation/<int:pk>/file/", formation.formation_file, name="formation_file"),
    path(
        "formation/<int:pk>/transfer-in/",
        formation.formation_transfer_in,
        name="formation_transfer_in",
    ),
    re_path(
        r"^formation/(?P<pk>\d+)/(?P<step>submit|approve|return|cancel)/$",
        formation.formation_step,
        name="formation_step",
    ),
    # Instructors.
    path("instructors/", instructors.instructor_list, name="instructor_list"),
    path("instructors/new/", instructors.instructor_appoint, name="instructor_appoint"),
    path("instructors/<int:pk>/", instructors.instructor_detail, name="instructor_detail"),
    path("instructors/<int:pk>/notice/", instructors.instructor_notice, name="instructor_notice"),
    path("instructors/<int:pk>/assign/", instructors.instructor_assign, name="instructor_assign"),
    path("instructors/<int:pk>/visit/", instructors.instructor_visit, name="instructor_visit"),
    path(
        "instructors/<int:pk>/assignments/<int:assignment_pk>/end/",
        instructors.assignment_end,
        name="assignment_end",
    ),
]
