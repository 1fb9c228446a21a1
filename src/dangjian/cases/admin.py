"""Case campaigns in the admin: shown for support, changed only through the campaign's pages
(``cases.services``), which keep blind review and publication rules."""

from django.contrib import admin

from dangjian.cases.models import Campaign, Publication, Review, ReviewerProfile, Submission
from dangjian.core.admin import ReadOnlyAdmin


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "federation", "deadline"]


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "campaign", "status"]
    list_filter = ["status"]


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "submission"]


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin):
    list_display = ["__str__"]


@admin.register(ReviewerProfile)
class ReviewerProfileAdmin(ReadOnlyAdmin):
    list_display = ["__str__"]
