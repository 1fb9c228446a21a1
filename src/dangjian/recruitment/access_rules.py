"""Who sees applicants and their steps, registered with ``dangjian.access.scope``.

An applicant's file is personal data kept by the branch, like its members' records and dues:
the branch's secretary and the federation's officers (``scope.dues_branches``: those who keep
a branch's member records); never a unit's liaison, an instructor or a reports-only role."""

from dangjian.access import scope

from .models import Applicant, Step


def applicants(user, action):
    return Applicant.objects.filter(branch__in=scope.dues_branches(user, action).values("pk"))


def register() -> None:
    scope.register(Applicant, applicants)
    scope.register(
        Step,
        lambda user, action: Step.objects.filter(
            applicant__in=applicants(user, action).values("pk")
        ),
    )
