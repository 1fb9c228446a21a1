"""The one door to data: every queryset a user can reach is built here.

``organizations(user, action)``, ``party_organizations(...)``, ``members(...)`` and
``meetings(...)`` return only what the user's current role assignments allow for that action.

Every other model a user can reach registers its rule once (``register``), in the spirit of
NetBox's ``RestrictedQuerySet.restrict()``: the facts below this app in ``access_rules.py``
beside this module, the apps above it in their own ``access_rules.py`` (each imported from its
AppConfig.ready). Views then ask one lookup:

- ``visible(Model, user, action)`` → the queryset the user may see for ``action``;
- ``get(user, Model | queryset, pk, action)`` → one object, 404 when missing or forbidden;
- ``get_with_rights(user, Model | queryset, pk)`` → ``(obj, frozenset of actions)``, the object
  and what the user may do on it, in one query (Healthchecks' ``_get_project_for_user``).
"""

# Split by concern (grants, units, party_members, activities, registry); every name the
# callers use is re-exported here. The tunable bounds (MANY_UNITS, FEW_MEMBERS,
# FEW_MEETINGS) are not: each is read by its own module, where a test patches it.
from dangjian.access.scope.activities import (
    MEETING_WRITERS,
    attendance,
    dues_branch_q,
    dues_branches,
    instructors,
    meeting_party_organizations,
    meetings,
    own_instructor_ids,
)
from dangjian.access.scope.grants import (
    NO_PERSONAL_DATA,
    NOTHING,
    AnyUser,
    Role,
    _federation,
    _few_units,
    assignments,
    can,
    combine,
    current_assignments,
    is_admin,
    officer_of,
    personal_assignments,
    roles,
    subtree_ids,
)
from dangjian.access.scope.party_members import (
    member_branches,
    members,
    members_to_list,
    own_member_ids,
)
from dangjian.access.scope.registry import (
    Public,
    Rule,
    get,
    get_visible_or_404,
    get_with_rights,
    public,
    register,
    registered_models,
    visible,
)
from dangjian.access.scope.units import (
    _org_q,
    _party_organizations_of,
    _unit_ids,
    federations,
    filter_by_organization,
    organizations,
    party_organizations,
    subject_q,
)

__all__ = [
    "NOTHING",
    "NO_PERSONAL_DATA",
    "AnyUser",
    "Role",
    "_federation",
    "_few_units",
    "assignments",
    "can",
    "combine",
    "current_assignments",
    "is_admin",
    "officer_of",
    "personal_assignments",
    "roles",
    "subtree_ids",
    "_org_q",
    "_party_organizations_of",
    "_unit_ids",
    "federations",
    "filter_by_organization",
    "organizations",
    "party_organizations",
    "subject_q",
    "member_branches",
    "members",
    "members_to_list",
    "own_member_ids",
    "MEETING_WRITERS",
    "attendance",
    "dues_branch_q",
    "dues_branches",
    "instructors",
    "meeting_party_organizations",
    "meetings",
    "own_instructor_ids",
    "Public",
    "Rule",
    "get",
    "get_visible_or_404",
    "get_with_rights",
    "public",
    "register",
    "registered_models",
    "visible",
]
