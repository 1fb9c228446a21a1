from django.urls import path

from .views import campaigns, public, reports, reviewers, reviews, submissions

app_name = "cases"
urlpatterns = [
    path("", campaigns.index, name="index"),
    path("campaigns/new/", campaigns.campaign_form, name="campaign_create"),
    path("campaigns/<int:pk>/", campaigns.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", campaigns.campaign_form, name="campaign_edit"),
    path("campaigns/<int:pk>/assign/", campaigns.assign, name="assign"),
    path("campaigns/<int:pk>/second-round/", campaigns.second_round, name="second_round"),
    path("campaigns/<int:pk>/select/<int:sub_pk>/", campaigns.select, name="select"),
    path("campaigns/<int:pk>/publish/", campaigns.publish, name="publish"),
    path("campaigns/<int:pk>/report/", reports.report, name="report"),
    path("campaigns/<int:campaign_pk>/start/", submissions.start, name="start"),
    path("publications/<int:pk>/revise/", campaigns.revise, name="revise"),
    path("submissions/<int:pk>/", submissions.submission, name="submission"),
    path("submissions/<int:pk>/autosave/", submissions.autosave, name="autosave"),
    path("submissions/<int:pk>/submit/", submissions.submit, name="submit"),
    path("submissions/<int:pk>/withdraw/", submissions.withdraw, name="withdraw"),
    path("submissions/<int:pk>/images/", submissions.add_image, name="add_image"),
    path("submissions/<int:pk>/attachments/", submissions.add_attachment, name="add_attachment"),
    path(
        "submissions/<int:pk>/<str:kind>/<int:file_pk>/remove/",
        submissions.remove_file,
        name="remove_file",
    ),
    path("submissions/<int:pk>/figures/pull/", submissions.pull_figures, name="pull_figures"),
    path("submissions/<int:pk>/figures/add/", submissions.add_figure, name="add_figure"),
    path(
        "submissions/<int:pk>/figures/<int:figure_pk>/remove/",
        submissions.remove_figure,
        name="remove_figure",
    ),
    path("submissions/<int:pk>/images/<int:image_pk>/", submissions.image, name="image"),
    path(
        "submissions/<int:pk>/attachments/<int:attachment_pk>/",
        submissions.attachment,
        name="attachment",
    ),
    path("reviewers/", reviewers.reviewer_list, name="reviewer_list"),
    path("reviewers/<int:pk>/", reviewers.reviewer_edit, name="reviewer_edit"),
    path("review/", reviews.review_list, name="review_list"),
    path("review/<int:pk>/", reviews.review, name="review"),
    path("review/<int:pk>/images/<int:image_pk>/", reviews.review_image, name="review_image"),
    path(
        "review/<int:pk>/attachments/<int:number>/",
        reviews.review_attachment,
        name="review_attachment",
    ),
    # Public: no sign-in.
    path("public/", public.index, name="public_index"),
    path("public/<int:pk>/", public.campaign, name="public_campaign"),
    path("public/<int:pk>/<int:number>/", public.case, name="public_case"),
    path("public/<int:pk>/<int:number>/docx/", public.case_docx, name="public_case_docx"),
    path("public/images/<int:image_pk>/", public.image, name="public_image"),
]
