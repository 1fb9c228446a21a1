"""What the case-collection services share."""

from django.utils import timezone


def _now(now):
    return now or timezone.now()
