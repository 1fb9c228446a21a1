"""The rotating QR code of a meeting: a token that changes every 30 seconds.

The token is an HMAC (the project's secret key) of the meeting's id and the 30-second time
step: whoever scans the code in the room gets a token that is good for the current and the
previous step only (up to a minute), so a photo of the code forwarded to someone elsewhere is
soon useless. The sign-in itself is bound to the signed-in member and to the meeting's window
(``window``); the token only proves that the phone saw the screen recently.
"""

from __future__ import annotations

import datetime
import hmac

from django.utils import timezone
from django.utils.crypto import salted_hmac

from dangjian.orglife.models import Meeting
from dangjian.rulebook import params

STEP_SECONDS = 30
_SALT = "dangjian.orglife.signin"


def step_of(now: datetime.datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def token(meeting_id: int, step: int) -> str:
    return salted_hmac(_SALT, f"{meeting_id}:{step}", algorithm="sha256").hexdigest()[:24]


def current_token(meeting: Meeting, now: datetime.datetime | None = None) -> str:
    return token(meeting.pk, step_of(now or timezone.now()))


def token_is_fresh(meeting: Meeting, value: str, now: datetime.datetime | None = None) -> bool:
    """Whether ``value`` is the token of the current or the previous step."""
    step = step_of(now or timezone.now())
    return any(hmac.compare_digest(token(meeting.pk, s), value or "") for s in (step, step - 1))


def window(meeting: Meeting) -> tuple[datetime.datetime, datetime.datetime] | None:
    """When members may sign in: from the rulebook's minutes before the start to the end (the
    end of the day when no end time was given). None when the start time is not known."""
    if meeting.starts_at is None:
        return None
    minutes = params.value(
        "orglife.meetings",
        "sign_in_opens_minutes_before",
        day=meeting.held_on,
        federation=meeting.party_organization.federation,
    )
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(meeting.held_on, meeting.starts_at, zone)
    end_time = meeting.ends_at or datetime.time(23, 59, 59)
    end = datetime.datetime.combine(meeting.held_on, end_time, zone)
    return start - datetime.timedelta(minutes=int(minutes)), end
