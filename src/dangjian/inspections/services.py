"""Every write of the inspections app: one function per business action, atomic, audited."""

from django.db import transaction

from dangjian.core.audit import record_change, record_event
from dangjian.inspections.models import Visit


@transaction.atomic
def record_visit(
    organization,
    visited_on,
    visitors,
    findings,
    instructor=None,
    unreachable_at_address=False,
    follow_up="",
    *,
    actor,
):
    """Record a visit or survey of a member unit (走访调研)."""
    visit = Visit.objects.create(
        organization=organization,
        visited_on=visited_on,
        visitors=visitors,
        instructor=instructor,
        findings=findings,
        unreachable_at_address=unreachable_at_address,
        follow_up=follow_up,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record_change(actor, visit, None)
    if unreachable_at_address:
        record_event(
            actor,
            "visit.unreachable",
            visit,
            organization=organization.pk,
            visited_on=str(visited_on),
        )
    return visit
