"""Who sees inspections, grades and visits, registered with ``dangjian.access.scope``: they
follow the unit they are about (grading settings follow their federation)."""

from dangjian.access import scope

from .models import AnnualInspection, GradeEvaluation, GradingSettings, Visit


def _by_organization(model):
    def rule(user, action):
        return scope.filter_by_organization(model.objects.all(), user, action)

    return rule


def register() -> None:
    for model in (AnnualInspection, GradeEvaluation, Visit):
        scope.register(model, _by_organization(model))
    scope.register(
        GradingSettings,
        lambda user, action: GradingSettings.objects.filter(
            federation__in=scope.federations(user, action).values("pk")
        ),
    )
