"""The access app's panels: the auditor's trail, the officer's people and sign-ins."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from dangjian.access.home import Item, Panel, register
from dangjian.core.models import AuditLog


def audit(request: HttpRequest, today: datetime.date) -> list[Item]:
    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time()))
    url = reverse("access:audit_list")
    signins = AuditLog.objects.filter(at__gte=start, action=AuditLog.Action.SIGNIN).count()
    changes = AuditLog.objects.filter(
        at__gte=start,
        action__in=[AuditLog.Action.CREATE, AuditLog.Action.UPDATE, AuditLog.Action.DELETE],
    ).count()
    return [
        Item(
            _("Changes recorded today"),
            f"{url}?{urlencode({'since': today.isoformat(), 'kind': 'changes'})}",
            count=changes,
        ),
        Item(
            _("Sign-ins today"),
            f"{url}?{urlencode({'since': today.isoformat(), 'action': 'signin'})}",
            count=signins,
        ),
    ]


def people_panel(request: HttpRequest, today: datetime.date) -> list[Item]:
    from dangjian.access import scope
    from dangjian.access.models import RoleInvitation

    pending = (
        scope.visible(RoleInvitation, request.user)
        .filter(used_at=None, revoked_at=None, expires_at__gt=timezone.now())
        .count()
    )
    return [
        Item(_("Invitations not yet used"), reverse("people:list"), count=pending),
        Item(_("Invite someone to sign in"), reverse("people:invite")),
    ]


def register_panels() -> None:
    register(
        Panel(
            "access.people",
            _("People and roles"),
            capability="officer",
            items=people_panel,
            order=90,
        )
    )
    register(Panel("access.audit", _("Audit trail"), capability="auditor", items=audit, order=10))
