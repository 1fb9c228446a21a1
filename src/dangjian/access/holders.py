"""Who answers for a unit, a party organization or a member today: the users holding the role
scoped to it (a unit's liaisons, a party organization's secretaries, a member's own sign-in).

Notices go to them (``notices``), and so do the notifications of decisions about a unit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from dangjian.access.models import RoleAssignment

Role = RoleAssignment.Role

# The role that answers for each kind of target, and its scope field.
ANSWERS_FOR = {
    "organization": Role.UNIT_LIAISON,
    "party_organization": Role.BRANCH_SECRETARY,
    "member": Role.PARTY_MEMBER,
}


def holders(field: str, ids: Iterable[int]) -> dict[int, list[int]]:
    """``{target id: [user ids]}`` of the active users holding today the role that answers for
    each target of kind ``field`` ("organization", "party_organization" or "member"), in one
    query."""
    ids = list(ids)
    found: dict[int, list[int]] = defaultdict(list)
    if not ids:
        return found
    rows = (
        RoleAssignment.objects.current()
        .filter(role=ANSWERS_FOR[field], user__is_active=True, **{f"{field}_id__in": ids})
        .values_list(f"{field}_id", "user_id")
        .order_by("user_id")
    )
    for target, user in rows:
        if user not in found[target]:
            found[target].append(user)
    return found
