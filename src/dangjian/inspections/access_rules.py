"""Who sees inspections, grades and visits, registered with ``dangjian.access.scope``: they
follow the unit they are about (grading settings follow their federation)."""

from dangjian.access import scope

from .models import AnnualInspection, GradeEvaluation, GradingSettings, Visit


def _by_organization(model, *, personal=False):
    def rule(user, action):
        return scope.filter_by_organization(model.objects.all(), user, action, personal=personal)

    return rule


def register() -> None:
    for model in (AnnualInspection, GradeEvaluation):
        scope.register(model, _by_organization(model))
    # A visit log names the visitors and the instructor: personal data, which the authority
    # viewer ("reports only") never sees.
    scope.register(Visit, _by_organization(Visit, personal=True))
    scope.register(
        GradingSettings,
        lambda user, action: GradingSettings.objects.filter(
            federation__in=scope.federations(user, action).values("pk")
        ),
    )
