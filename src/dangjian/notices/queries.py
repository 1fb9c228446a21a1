"""What other pages read about notices: sign rates (N-6) and the to-do lists of the home
panels — "to sign" (a recipient's), "low sign rates" and "reviews due" (a sender's). Each
takes the user and goes through the one door's rules (``notices.access_rules``)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from dangjian.access.models import Action
from dangjian.notices.access_rules import managed_notices, own_receipts
from dangjian.notices.models import Notice, Notification, Receipt
from dangjian.rulebook import params

SIGNED = Q(receipts__signed_at__isnull=False)


def with_counts(qs: QuerySet[Notice], until: datetime.datetime | None = None) -> QuerySet[Notice]:
    """Notices with ``targets``, ``signed``, ``signed_on_time``, ``read`` and ``done`` — as
    they stand, or as they stood just before ``until`` (``as_of_q``'s receipt timestamps)."""
    signed = SIGNED if until is None else Q(receipts__signed_at__lt=until)
    read = Q(receipts__read_at__isnull=False)
    if until is not None:
        read = Q(receipts__read_at__lt=until)
    return qs.annotate(
        targets=Count("receipts", distinct=True),
        signed=Count("receipts", filter=signed, distinct=True),
        signed_on_time=Count(
            "receipts",
            filter=signed & Q(receipts__signed_at__lte=F("sign_deadline")),
            distinct=True,
        ),
        read=Count("receipts", filter=read, distinct=True),
        done=Count("receipts", filter=done_q(until, "receipts__"), distinct=True),
    )


# -- as of a moment: from the receipts' timestamps ------------------------------------------
#
# A receipt keeps when it was read, signed, last given feedback and last reviewed; its earlier
# rounds (feedback returned, then given again) are in the audit trail only. So "as of" is exact
# for published, withdrawn, read, signed and done (done is final: reviewed once, accepted), and
# for feedback given as of a moment it counts the latest round: feedback returned for more and
# given again after the moment counts as not given then.


def standing_q(until: datetime.datetime, prefix: str = "") -> Q:
    """Notices published before ``until`` and not withdrawn (or replaced) by then."""
    return (
        Q(
            **{
                f"{prefix}status__in": (
                    Notice.Status.PUBLISHED,
                    Notice.Status.WITHDRAWN,
                    Notice.Status.REPLACED,
                )
            }
        )
        & Q(**{f"{prefix}published_at__lt": until})
        & (
            Q(**{f"{prefix}withdrawn_at__isnull": True})
            | Q(**{f"{prefix}withdrawn_at__gte": until})
        )
    )


def done_q(until: datetime.datetime | None = None, prefix: str = "") -> Q:
    """Receipts done (feedback accepted) — by ``until`` when given."""
    q = Q(**{f"{prefix}status": Receipt.Status.DONE})
    if until is not None:
        q &= Q(**{f"{prefix}reviewed_at__lt": until})
    return q


def submitted_q(until: datetime.datetime | None = None, prefix: str = "") -> Q:
    """Receipts whose feedback was given (waiting for review, or accepted) — by ``until``
    when given: given before it and not returned for more before it."""
    given = Q(**{f"{prefix}status__in": (Receipt.Status.SUBMITTED, Receipt.Status.DONE)})
    if until is None:
        return given
    returned_later = Q(**{f"{prefix}status": Receipt.Status.RETURNED}) & Q(
        **{f"{prefix}reviewed_at__gte": until}
    )
    return Q(**{f"{prefix}feedback_at__lt": until}) & (given | returned_later)


def percent(part: int, whole: int) -> int | None:
    """A rate in whole percent, rounded down (99.5 % signed is not 100 %); None of nothing."""
    return None if not whole else part * 100 // whole


@dataclass(frozen=True)
class Rates:
    targets: int
    read: int
    signed: int
    signed_on_time: int
    feedback_done: int

    @property
    def sign_rate(self) -> int | None:
        return percent(self.signed, self.targets)

    @property
    def on_time_rate(self) -> int | None:
        return percent(self.signed_on_time, self.targets)

    @property
    def done_rate(self) -> int | None:
        return percent(self.feedback_done, self.targets)

    @property
    def not_signed(self) -> int:
        return self.targets - self.signed


def rates(notice: Notice) -> Rates:
    row = with_counts(Notice.objects.filter(pk=notice.pk)).get()
    counts = [
        getattr(row, name) for name in ("targets", "read", "signed", "signed_on_time", "done")
    ]
    return Rates(*counts)


def by_status(notice: Notice) -> dict[str, int]:
    """``{receipt status: count}`` of a notice, every status present (0 when none)."""
    counts = dict(
        Receipt.objects.filter(notice=notice)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {status: counts.get(status, 0) for status in Receipt.Status.values}


# -- the home panels ------------------------------------------------------------------------


def to_sign(user: Any) -> QuerySet[Receipt]:
    """The user's receipts still to sign on published notices, the nearest deadline first."""
    return (
        own_receipts(user)
        .filter(notice__status=Notice.Status.PUBLISHED, signed_at__isnull=True)
        .select_related("notice")
        .order_by("notice__sign_deadline", "pk")
    )


def feedback_due(user: Any) -> QuerySet[Receipt]:
    """The user's tasks whose feedback is still to give (or was returned for more)."""
    return (
        own_receipts(user)
        .filter(notice__status=Notice.Status.PUBLISHED, notice__kind=Notice.Kind.TASK)
        .exclude(status__in=(Receipt.Status.SUBMITTED, Receipt.Status.DONE))
        .select_related("notice")
        .order_by("notice__feedback_deadline", "pk")
    )


def low_sign_rates(user: Any, now: datetime.datetime | None = None) -> QuerySet[Notice]:
    """Published notices the user sent (or manages) whose signing deadline has passed with
    fewer signed than the rulebook's ``low_sign_rate_percent`` of their targets."""
    now = now or timezone.now()
    threshold = params.value("notices.receipts", "low_sign_rate_percent")
    return (
        with_counts(
            managed_notices(user, Action.VIEW).filter(
                status=Notice.Status.PUBLISHED, sign_deadline__lt=now
            )
        )
        # The annotations' names, in a Q: the type checker knows only the model's fields.
        .filter(Q(targets__gt=0) & Q(signed__lt=F("targets") * threshold / 100.0))
        .order_by("sign_deadline", "pk")
    )


def reviews_due(user: Any) -> QuerySet[Receipt]:
    """Feedback submitted on the user's tasks, waiting for their review."""
    return (
        Receipt.objects.filter(
            notice__in=managed_notices(user, Action.EDIT).values("pk"),
            notice__status=Notice.Status.PUBLISHED,
            status=Receipt.Status.SUBMITTED,
        )
        .select_related("notice")
        .order_by("feedback_at", "pk")
    )


def unseen_count(user: Any) -> int:
    """Unseen notifications in the user's bell."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user_id=user.pk, seen_at__isnull=True).count()
