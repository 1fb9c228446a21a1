"""Every write of the joining, formation and instructor workflows: one function per business
action, atomic, audited (record_change for facts, record_event for the business steps), with
the status history kept beside the audit trail. The facts themselves (units, members, party
organizations, instructors) are written by the registry and party services these call.

Split by workflow; the names are re-exported here so ``from dangjian.applications.services
import X`` keeps working.
"""

from dangjian.applications.services.common import fact_errors
from dangjian.applications.services.files import store_file
from dangjian.applications.services.formation import (
    approve_formation_case,
    cancel_formation_case,
    federation_committee,
    open_formation_case,
    return_formation_case,
    submit_formation_case,
    update_formation_case,
)
from dangjian.applications.services.instructors import (
    appoint_instructor,
    assign_instructor,
    end_assignment,
)
from dangjian.applications.services.joining import (
    MEMBER_FIELDS,
    UNIT_FIELDS,
    approve_application,
    create_invitation,
    reissue_access,
    reject_application,
    return_application,
    revoke_invitation,
    save_application,
    start_application,
    submit_application,
)
from dangjian.core.concurrency import claim
from dangjian.core.errors import Conflict, WorkflowError

__all__ = [
    "MEMBER_FIELDS",
    "UNIT_FIELDS",
    "Conflict",
    "WorkflowError",
    "appoint_instructor",
    "approve_application",
    "approve_formation_case",
    "assign_instructor",
    "cancel_formation_case",
    "claim",
    "create_invitation",
    "end_assignment",
    "fact_errors",
    "federation_committee",
    "open_formation_case",
    "reissue_access",
    "reject_application",
    "return_application",
    "return_formation_case",
    "revoke_invitation",
    "save_application",
    "start_application",
    "store_file",
    "submit_application",
    "submit_formation_case",
    "update_formation_case",
]
