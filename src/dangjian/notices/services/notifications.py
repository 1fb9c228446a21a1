"""The bell: messages put in users' notification boxes (and optionally sent by e-mail) beside
an audited event, tell the people a decision concerns, and mark messages seen."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.access.holders import holders
from dangjian.notices.models import Notice, Notification


def notify(
    user_ids: Iterable[int],
    kind: str,
    title: str,
    url: str = "",
    *,
    notice: Notice | None = None,
) -> int:
    """Put a message in each user's bell (once per user); returns how many. For a decision
    about a unit or a person, see ``notify_decision``."""
    users = list(dict.fromkeys(user_ids))
    rows = [
        Notification(user_id=uid, kind=kind, title=title[:300], url=url[:300], notice=notice)
        for uid in users
    ]
    Notification.objects.bulk_create(rows)
    if settings.NOTIFY_BY_EMAIL and users:
        transaction.on_commit(lambda: _email(users, title, url))
    return len(rows)


def _email(user_ids: list[int], title: str, url: str) -> None:
    """The optional e-mail channel (``DANGJIAN_NOTIFY_EMAIL``): the same words, to those users
    who have an address; a mail server that fails does not undo what was notified."""
    from django.contrib.auth import get_user_model

    addresses = (
        get_user_model()
        .objects.filter(pk__in=user_ids, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    body = f"{title}\n\n{_('Open the system to read it.')} {url}".strip()
    messages = [(title, body, None, [address]) for address in addresses]
    if messages:
        send_mass_mail(messages, fail_silently=True)


def notify_decision(
    title: str,
    url: str = "",
    *,
    organizations: Iterable[int] = (),
    party_organizations: Iterable[int] = (),
    members: Iterable[int] = (),
) -> int:
    """Tell the people a decision concerns (a unit's liaisons, a party organization's
    secretaries, a member's own sign-in): the decision services call this beside their audit
    event (e.g. ``inspections.services.save_annual_inspection`` when a conclusion is given)."""
    users: list[int] = []
    for field, ids in (
        ("organization", organizations),
        ("party_organization", party_organizations),
        ("member", members),
    ):
        for found in holders(field, ids).values():
            users.extend(found)
    return notify(users, Notification.Kind.DECISION, title, url)


# -- the bell -------------------------------------------------------------------------------


def mark_seen(notification: Notification) -> None:
    """The user opened a notification (their own message box; no audit row)."""
    if notification.seen_at is None:
        Notification.objects.filter(pk=notification.pk, seen_at__isnull=True).update(
            seen_at=timezone.now()
        )


def mark_all_seen(user: Any) -> int:
    return Notification.objects.filter(user_id=user.pk, seen_at__isnull=True).update(
        seen_at=timezone.now()
    )
