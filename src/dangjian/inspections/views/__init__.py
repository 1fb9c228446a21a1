"""Pages of annual inspections, grade evaluations and visits (thin: services do the writes),
one module per resource."""

from dangjian.inspections.views.annual import inspection_edit, inspection_list
from dangjian.inspections.views.grading import (
    grade_detail,
    grade_edit,
    grade_list,
    grading_settings,
)
from dangjian.inspections.views.visits import visit_create, visit_list

__all__ = [
    "grade_detail",
    "grade_edit",
    "grade_list",
    "grading_settings",
    "inspection_edit",
    "inspection_list",
    "visit_create",
    "visit_list",
]
