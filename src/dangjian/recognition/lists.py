"""The recognition overview's lists, a keyset page each (core.lists).

Their rows stay hand-written in the template: each carries a revoke form (with its CSRF token)
and masks the person's name by the viewer's rights, which a column's cell cannot see. There is
no export of these lists yet, so the columns are the template's alone.
"""

from django.db.models import BooleanField, ExpressionWrapper, Q, Value
from django.db.models.functions import Coalesce

from dangjian.access.listspec import ListSpec
from dangjian.recognition.models import Recognition

# Current entries first, then the revoked ones: ``revoked_on`` itself may be NULL, which a keyset
# cannot order by (NULLs sort first on SQLite and last on PostgreSQL).
REVOKED = ExpressionWrapper(Q(revoked_on__isnull=False), output_field=BooleanField())
# A designation may belong to a party organization without a unit.
UNIT_NAME = Coalesce("organization__name", Value(""))

DESIGNATIONS = ListSpec(
    "recognition:overview",
    columns=[],
    key=("revoked", "-year", "unit_name"),
    baseline_query={"tab": "designations"},
)

RECOGNITIONS = {
    kind: ListSpec(
        "recognition:overview",
        columns=[],
        key=("revoked", "-granted_on"),
        baseline_query={"tab": kind},
    )
    for kind in Recognition.Kind.values
}
