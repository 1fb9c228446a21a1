"""Who sees this app's objects, registered with ``dangjian.access.scope`` (the one lookup).

Applications, invitations, formation cases and instructor dossiers belong to a federation and
are seen by its officers (and those above). Instructors themselves are a party fact: their rule
is in ``access.scope.instructors``.
"""

from dangjian.access import scope
from dangjian.access.models import Action

from .models import Application, FormationCase, InstructorDossier, Invitation


def _by_federation(model):
    def rule(user, action):
        return model.objects.filter(federation__in=scope.federations(user, action).values("pk"))

    return rule


def may_log_visits(user, instructor) -> bool:
    """Officers who dispatch instructors, and the instructor themself."""
    return scope.can(user, Action.APPROVE) or (
        scope.can(user, Action.EDIT) and instructor.pk in scope.own_instructor_ids(user)
    )


def register() -> None:
    for model in (Application, Invitation, FormationCase, InstructorDossier):
        scope.register(model, _by_federation(model))
