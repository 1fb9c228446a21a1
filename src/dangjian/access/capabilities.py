"""Named capabilities: what menus show and which home panels a user gets.

A capability is a name and a predicate over the signed-in user (``has(user, "keep_meetings")``).
Each ``Action`` is one (``edit``, ``audit`` …: the user holds a role allowing it); the others
below say what kind of work is the user's. Templates read them as ``can.<name>``
(``access.context_processors``); home panels name the one they need (``access.home``). An app
may add its own with ``register(name, predicate)`` from its ``AppConfig.ready``.
"""

from __future__ import annotations

from collections.abc import Callable

from dangjian.access import scope
from dangjian.access.models import Action, RoleAssignment
from dangjian.access.scope import AnyUser

Role = RoleAssignment.Role
Predicate = Callable[[AnyUser], bool]

_REGISTRY: dict[str, Predicate] = {}


def register(name: str, predicate: Predicate) -> None:
    if name in _REGISTRY and _REGISTRY[name] is not predicate:
        raise ValueError(f"capability {name!r} is registered twice")
    _REGISTRY[name] = predicate


def names() -> list[str]:
    return list(_REGISTRY)


def has(user: AnyUser, name: str) -> bool:
    """Whether ``user`` has the capability ``name`` (an unknown name: nobody has it)."""
    predicate = _REGISTRY.get(name)
    return bool(predicate and predicate(user))


def all_for(user: AnyUser) -> dict[str, bool]:
    return {name: predicate(user) for name, predicate in _REGISTRY.items()}


def _holds(*roles: str) -> Predicate:
    return lambda user: bool(scope.roles(user) & set(roles))


def sees_ledger(user: AnyUser) -> bool:
    """Whether the ledger menus (units, party organizations, findings) are the user's: any
    role that reads records other than a party member's own."""
    return any(g.role != Role.PARTY_MEMBER for g in scope.assignments(user, Action.VIEW))


def keeps_meetings(user: AnyUser) -> bool:
    """Who keeps a party organization's meetings (and its dues): secretaries, officers."""
    return any(g.role in scope.MEETING_WRITERS for g in scope.assignments(user, Action.EDIT))


def is_member(user: AnyUser) -> bool:
    """A party member signed in on their own."""
    return bool(scope.own_member_ids(user))


def _allows(action: str) -> Predicate:
    return lambda user: scope.can(user, action)


for _action in Action.values:
    register(_action, _allows(_action))
register("ledger", sees_ledger)
register("keep_meetings", keeps_meetings)
register("member", is_member)
# The people who manage others' sign-ins and roles: the federation's officers, administrators.
register("officer", _holds(Role.FEDERATION_OFFICER, Role.ADMIN))
# The dashboard is a federation's: whoever may see a federation (scope.federations: its
# officers and those above, administrators) — told by the roles, without a query per page.
register("dashboard", _holds(Role.FEDERATION_OFFICER, Role.ADMIN))
register("secretary", _holds(Role.BRANCH_SECRETARY))
register("liaison", _holds(Role.UNIT_LIAISON))
register("instructor", _holds(Role.INSTRUCTOR))
register("authority", _holds(Role.AUTHORITY_VIEWER))
register("expert", _holds(Role.EXPERT_REVIEWER))
register("auditor", _holds(Role.AUDITOR))
# Any role at all: who has none gets a page saying so and whom to ask.
register("any_role", lambda user: bool(scope.roles(user)))
