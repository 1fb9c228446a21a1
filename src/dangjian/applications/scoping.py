"""Querysets of this app's objects for a user, built on ``dangjian.access.scope``.

Applications, invitations and formation cases belong to a federation; instructors are seen by
the federation that appointed them, by whoever sees a unit they are assigned to, and by the
instructor themself.
"""

from django.db.models import Exists, OuterRef, Q

from dangjian.access import scope
from dangjian.access.models import Action, RoleAssignment
from dangjian.applications.models import Application, FormationCase, Invitation
from dangjian.party.models import Instructor, InstructorAssignment


def applications(user, action=Action.VIEW):
    return Application.objects.filter(federation__in=scope.federations(user, action))


def invitations(user, action=Action.VIEW):
    return Invitation.objects.filter(federation__in=scope.federations(user, action))


def formation_cases(user, action=Action.VIEW):
    return FormationCase.objects.filter(federation__in=scope.federations(user, action))


def own_instructor_ids(user) -> set[int]:
    return {
        g.instructor_id
        for g in scope.assignments(user, Action.VIEW)
        if g.role == RoleAssignment.Role.INSTRUCTOR
    }


def instructors(user, action=Action.VIEW):
    if scope.is_admin(user) and scope.can(user, action):
        return Instructor.objects.all()
    assigned = InstructorAssignment.objects.filter(
        instructor=OuterRef("pk"), organization__in=scope.organizations(user, action)
    )
    q = Q(dossier__federation__in=scope.federations(user, action)) | Q(Exists(assigned))
    if scope.can(user, action):
        q |= Q(pk__in=own_instructor_ids(user))
    return Instructor.objects.filter(q)


def may_log_visits(user, instructor) -> bool:
    """Officers who dispatch instructors, and the instructor themself."""
    return scope.can(user, Action.APPROVE) or (
        scope.can(user, Action.EDIT) and instructor.pk in own_instructor_ids(user)
    )
