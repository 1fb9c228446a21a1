"""Writes of the party ledger that pages perform (imports and workflows have their own)."""

from django.apps import apps
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dangjian.core import personal
from dangjian.core.audit import record_event
from dangjian.core.events import AuditEvent
from dangjian.core.models import AuditLog
from dangjian.party.models import PartyMember

ANONYMOUS_NAME = personal.ANONYMOUS_NAME


@transaction.atomic
def anonymise_member(member: PartyMember, *, actor, left_on=None) -> PartyMember:
    """Erase a departed member's personal data (PIPL art. 47), keeping the facts for statistics.

    Which fields are personal is core.personal's registry; it also names the copies of a
    member's data elsewhere (an applying unit's member list), erased with the member. The audit
    trail keeps its history and that the member was anonymised, with the personal values in it
    (name in the object label, masked numbers) redacted.
    """
    today = timezone.localdate()
    # The member and the copies of their data in other apps (an applicant's member list), as
    # core.personal lists them: found before erasing, since the blind index goes with it.
    copies = []
    for label, link in personal.COPIES_OF_SUBJECT.items():
        model = apps.get_model(label)
        found = Q(**{link: member})
        if member.id_number_hash and any(f.blind_index for f in personal.fields_of(label)):
            found |= Q(id_number_hash=member.id_number_hash)
        copies.append(
            (label, model, list(model.objects.filter(found).values_list("pk", flat=True)))
        )
    for field, value in personal.erasure(personal.SUBJECT, member.pk).items():
        setattr(member, field, value)
    member.left_on = member.left_on or left_on or today
    member.anonymised_at = timezone.now()
    member.save()
    member.employments.filter(valid_to__isnull=True).update(valid_to=member.left_on)
    for label, model, pks in copies:
        model.objects.filter(pk__in=pks).update(**personal.erasure(label, member.pk))
    # Old audit rows keep the non-personal history; only the personal values go.
    trail = [(personal.SUBJECT, [member.pk], member.name)]
    trail += [(label, pks, None) for label, _model, pks in copies if pks]
    for label, pks, new_repr in trail:
        logs = AuditLog.objects.filter(object_type=label, object_id__in=[str(pk) for pk in pks])
        for log in logs.only("pk", "changes", "object_repr"):
            AuditLog.objects.filter(pk=log.pk).update(
                object_repr=new_repr or f"{personal.ANONYMOUS_NAME}#{member.pk}",
                changes=personal.redact_changes(label, log.changes),
            )
    record_event(actor, AuditEvent.MEMBER_ANONYMISED, member)
    return member
