"""What the notice services share: the rulebook's ``notices.receipts`` parameters, and
telling whoever answers for some receipts (publication, withdrawal, review, reminders)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dangjian.access.holders import holders
from dangjian.notices.models import Notice, Receipt
from dangjian.notices.services.notifications import notify
from dangjian.rulebook import params


def _param(name: str, federation: Any = None) -> Any:
    return params.value("notices.receipts", name, federation=federation)


def _users_of(receipts: Sequence[Receipt]) -> dict[int, list[int]]:
    """``{receipt id: [user ids answering for it]}``, one query per kind of target."""
    found: dict[int, list[int]] = {}
    for field in ("organization", "party_organization", "member"):
        rows = [r for r in receipts if getattr(r, f"{field}_id") is not None]
        if not rows:
            continue
        by_target = holders(field, {getattr(r, f"{field}_id") for r in rows})
        for r in rows:
            found[r.pk] = by_target.get(getattr(r, f"{field}_id"), [])
    return found


def _notify_receipts(receipts: Sequence[Receipt], kind: str, title: str, notice: Notice) -> int:
    from django.urls import reverse

    url = reverse("notices:notice_detail", args=[notice.pk])
    users = [u for found in _users_of(receipts).values() for u in found]
    return notify(users, kind, title, url, notice=notice)
