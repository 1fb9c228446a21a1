"""Writes of the party ledger that pages perform (imports and workflows have their own)."""

from django.db import transaction
from django.utils import timezone

from dangjian.core.audit import record_event
from dangjian.core.events import AuditEvent
from dangjian.core.models import AuditLog
from dangjian.party.models import PartyMember

ANONYMOUS_NAME = "已匿名"


@transaction.atomic
def anonymise_member(member: PartyMember, *, actor, left_on=None) -> PartyMember:
    """Erase a departed member's personal data (PIPL art. 47), keeping the facts for statistics.

    The audit trail keeps that the member existed and was anonymised, but the personal values
    already in it (name in the object label, masked numbers) are redacted too.
    """
    today = timezone.localdate()
    member.name = f"{ANONYMOUS_NAME}#{member.pk}"
    member.id_number = ""
    member.phone = ""
    member.birth_date = None
    member.relation_external = ""
    member.left_on = member.left_on or left_on or today
    member.anonymised_at = timezone.now()
    member.save()
    member.employments.filter(valid_to__isnull=True).update(valid_to=member.left_on)
    AuditLog.objects.filter(object_type="party.partymember", object_id=str(member.pk)).update(
        object_repr=member.name, changes={"redacted": True}
    )
    record_event(actor, AuditEvent.MEMBER_ANONYMISED, member)
    return member
