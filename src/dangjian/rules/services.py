"""Every write a person makes in the rules app: moving findings through their statuses and
starting a rule run. Atomic and audited (federation parameter overrides: ``rulebook.services``);
each status change is also a step of the finding's own history (``FindingStatusChange``).

Findings carry a ``version``: a change names the version it was read at (optimistic locking),
so two officers cannot silently overwrite each other; the engine bumps it too.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.audit import acting_user, enqueue_on_commit, record_event
from dangjian.core.concurrency import claim
from dangjian.core.errors import Conflict
from dangjian.core.events import AuditEvent
from dangjian.rules.models import EvaluationRun, Finding, FindingStatusChange

S = Finding.Status
# status → statuses a person may move a finding to.
TRANSITIONS: dict[str, set[str]] = {
    S.OPEN: {S.ACKNOWLEDGED, S.RECTIFYING, S.RESOLVED, S.DISMISSED},
    S.ACKNOWLEDGED: {S.RECTIFYING, S.RESOLVED, S.DISMISSED},
    S.RECTIFYING: {S.RESOLVED, S.DISMISSED},
    S.RESOLVED: set(),
    S.DISMISSED: {S.OPEN},
    # Found in the past only: nothing to do today (a run that finds it today opens it).
    S.PAST: set(),
}
EVENTS: dict[str, AuditEvent] = {
    S.ACKNOWLEDGED: AuditEvent.FINDING_ACKNOWLEDGED,
    S.RECTIFYING: AuditEvent.FINDING_RECTIFYING,
    S.RESOLVED: AuditEvent.FINDING_RESOLVED,
    S.DISMISSED: AuditEvent.FINDING_DISMISSED,
    S.OPEN: AuditEvent.FINDING_REOPENED,
}


# Someone changed the finding after this user opened it: the one conflict error of every app.
EditConflict = Conflict


@transaction.atomic
def change_status(
    finding: Finding, status: str, *, actor, reason: str = "", version: int | str
) -> Finding:
    locked = claim(Finding, finding.pk, version)
    if status not in TRANSITIONS[locked.status]:
        raise ValidationError(
            _("A finding that is “%(current)s” cannot be moved to “%(target)s”.")
            % {"current": locked.get_status_display(), "target": S(status).label}
        )
    reason = (reason or "").strip()
    if status == S.DISMISSED and not reason:
        raise ValidationError(_("Give the reason for dismissing the finding."))
    before = locked.status
    locked.status = status
    locked.status_changed_at = timezone.now()
    locked.status_changed_by = acting_user(actor)
    if status == S.DISMISSED:
        locked.dismissed_reason = reason
    if status == S.RESOLVED:
        locked.resolved_on = timezone.localdate()
    if status == S.OPEN:
        locked.resolved_on = None
    locked.save()
    user = acting_user(actor)
    FindingStatusChange.objects.create(
        finding=locked,
        at=locked.status_changed_at,
        actor=user,
        actor_name=(user.get_full_name() or user.get_username()) if user else "",
        from_status=before,
        to_status=status,
        reason=reason,
    )
    record_event(
        actor,
        EVENTS[status],
        locked,
        note=reason,
        rule_id=locked.rule_id,
        before=before,
        after=status,
    )
    finding.__dict__.update(
        {k: getattr(locked, k) for k in ("status", "version", "resolved_on", "dismissed_reason")}
    )
    return locked


@transaction.atomic
def bulk_change_status(findings, status: str, *, actor, reason: str = "") -> int:
    """Acknowledge or dismiss many findings at once; those that cannot move are skipped."""
    reason = (reason or "").strip()
    if status == S.DISMISSED and not reason:
        raise ValidationError(_("Give the reason for dismissing the findings."))
    done = 0
    for finding in findings:
        if status in TRANSITIONS[finding.status]:
            change_status(finding, status, actor=actor, reason=reason, version=finding.version)
            done += 1
    return done


def acknowledge(finding, *, actor, version):
    return change_status(finding, S.ACKNOWLEDGED, actor=actor, version=version)


def dismiss(finding, reason: str, *, actor, version):
    return change_status(finding, S.DISMISSED, actor=actor, reason=reason, version=version)


@transaction.atomic
def request_run(federation, as_of: datetime.date, *, actor) -> EvaluationRun:
    """Queue a background run of the rulebook (django-tasks); the page polls its progress.
    A day in the future is refused: its facts are not known yet (``rules.engine``)."""
    from dangjian.rules.tasks import evaluate_rulebook

    if as_of > timezone.localdate():
        raise ValidationError(_("The rulebook cannot be run as of a day in the future."))

    run = EvaluationRun.objects.create(
        federation=federation, as_of=as_of, requested_by=acting_user(actor)
    )
    record_event(actor, AuditEvent.RULES_RUN_REQUESTED, run, as_of=as_of.isoformat())
    enqueue_on_commit(evaluate_rulebook, run.pk)  # its audit rows share this request's id
    return run
