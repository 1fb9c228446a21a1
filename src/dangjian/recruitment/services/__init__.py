"""Every write of recruitment: registering an applicant, recording each step, stopping.

Each step is checked against the rulebook's ``recruitment.procedure`` in force on its date
(the order of the steps, the intervals, who may act) and refused with a Chinese message naming
the article when it fails; nothing is saved then. Admission makes the applicant a
probationary member through ``party.services`` (the one way members are created), 转正 makes
them a full member through the same services; the branch meeting's quorum and majority are
``orglife.quorum``'s, on the voting members of ``party.queries``.

Registering and ending an application are in ``applicants``, recording a step (its order and
dates) in ``steps``, the checks of each step in ``checks``, admission and 转正 in
``admission``, and what registering and recording share in ``common``. One module per concern,
every public name re-exported here.
"""

from dangjian.recruitment.services.applicants import (
    APPLICANT_FIELDS,
    register_applicant,
    stop_applicant,
)
from dangjian.recruitment.services.checks import CHECKS, METHODS
from dangjian.recruitment.services.steps import record_step

__all__ = [
    "APPLICANT_FIELDS",
    "CHECKS",
    "METHODS",
    "record_step",
    "register_applicant",
    "stop_applicant",
]
