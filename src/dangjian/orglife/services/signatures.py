"""Signing the minutes stored without a signature — the meetings written before signatures
were stored (migration 0007 adds the fields and no longer signs in the migration) — as a
background job: ``dangjian sign_minutes``, run by ``dangjian nightly``.

Batched by ranges of meeting ids, each batch its own transaction; where a run got to is kept
as an audit event (``orglife.minutes_signed``, with ``upto``), so the next run goes on from
there and a nightly run after the first full pass only looks at the meetings added since
(which their writers signed already: every meeting writer calls ``meetings.sign_minutes``).
Until a meeting is signed, the near-duplicate rule signs its text itself when it reads it, so
its findings never depend on this job having run.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from dangjian.core import bulk as core_bulk
from dangjian.core.audit import record_event
from dangjian.core.events import AuditEvent
from dangjian.core.models import AuditLog
from dangjian.orglife import similarity
from dangjian.orglife.models import Meeting
from dangjian.orglife.services import bands
from dangjian.orglife.services.meetings import sign_minutes
from dangjian.party.models import PartyOrganization
from dangjian.registry.models import Federation

# Meeting ids looked at per batch (one transaction; a few seconds of signing at most).
BATCH = 2000


def signed_upto() -> int:
    """The last meeting id a run of the job looked at (0: none ran)."""
    last = (
        AuditLog.objects.filter(event_type=AuditEvent.ORGLIFE_MINUTES_SIGNED)
        .order_by("-pk")
        .values_list("changes", flat=True)
        .first()
    )
    return int((last or {}).get("upto") or 0)


def last_meeting() -> int:
    return Meeting.objects.aggregate(last=Max("pk"))["last"] or 0


@transaction.atomic
def sign_stored_minutes(after: int, upto: int, *, cache: dict | None = None) -> int:
    """Sign the minutes of the meetings with ``after < id <= upto`` stored without a
    signature, as their writers sign them (``meetings.sign_minutes``: the federation's shingle
    length). Returns how many were signed. The signature and length are derived from the
    minutes (not kept in the audit trail, ``core.audit.SKIPPED``) and change nothing the rules
    judge (the near-duplicate rule signs an unsigned text itself), so nothing is marked for
    re-evaluation and ``updated_at`` stays as it was."""
    cache = {} if cache is None else cache
    rows = list(
        Meeting.objects.filter(pk__gt=after, pk__lte=upto, minutes_chars=0)
        .exclude(minutes="")
        .only("pk", "party_organization_id", "minutes")
    )
    if not rows:
        return 0
    federations = cache.setdefault("federation_of", {})
    unknown = {m.party_organization_id for m in rows} - set(federations)
    if unknown:
        pairs = dict(
            PartyOrganization.objects.filter(pk__in=unknown).values_list("pk", "federation_id")
        )
        by_pk = Federation.objects.in_bulk(set(pairs.values()))
        federations.update({po: by_pk.get(fed) for po, fed in pairs.items()})
    for meeting in rows:
        sign_minutes(meeting, federations.get(meeting.party_organization_id), cache)
    fields = ("minutes_chars", "minutes_signature", "minutes_digest")
    # (Short statements by primary key: ``bulk_update``'s CASE per field grows with the batch.)
    core_bulk.update(Meeting, fields, ((m.pk, [getattr(m, f) for f in fields]) for m in rows))
    bands.refresh(rows)
    return len(rows)


def undigested():
    """The meetings with a signature and no digest (``orglife_meeting_undigested``)."""
    return Meeting.objects.filter(minutes_digest__isnull=True).exclude(minutes_signature=b"")


@transaction.atomic
def digest_signed_minutes(limit: int = BATCH) -> int:
    """Store the digest (``similarity.digests``) of up to ``limit`` meetings signed before
    digests were (migration 0013), the lowest numbers first — found by their index, which is
    empty once all are done. Returns how many (0: none was left). b"" for a signature of
    another scheme, which the rule signs again from the text as before. Derived, like the
    signature: nothing marked, ``updated_at`` as it was."""
    rows = list(undigested().order_by("pk").values_list("pk", "minutes_signature")[:limit])
    made = similarity.digests([bytes(blob) for _, blob in rows])
    core_bulk.update(
        Meeting,
        ["minutes_digest"],
        [(pk, (digest,)) for (pk, _), digest in zip(rows, made, strict=True)],
    )
    return len(rows)


def record_progress(upto: int, signed: int) -> None:
    """Where the job got to (read back by ``signed_upto``)."""
    record_event(None, AuditEvent.ORGLIFE_MINUTES_SIGNED, None, upto=upto, signed=signed)
