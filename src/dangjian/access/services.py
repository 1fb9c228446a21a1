"""Writes of the access app: passwords, second factor, role assignments."""

import datetime
import hmac
import time
from typing import Any

import pyotp
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from dangjian.access.models import RoleAssignment, UserSecurity
from dangjian.access.scope import AnyUser
from dangjian.core.audit import record_change, record_event, snapshot
from dangjian.core.events import AuditEvent


def security_of(user: User) -> UserSecurity:
    return UserSecurity.objects.get_or_create(user=user)[0]


@transaction.atomic
def change_password(
    user: User,
    new_password: str,
    *,
    actor: AnyUser | None,
    request: HttpRequest | None = None,
) -> None:
    user.set_password(new_password)
    user.save(update_fields=["password"])
    security = security_of(user)
    security.must_change_password = False
    security.password_changed_at = timezone.now()
    security.save(update_fields=["must_change_password", "password_changed_at", "updated_at"])
    if request is not None:
        update_session_auth_hash(request, user)
    # The password itself is never logged, not even hashed.
    record_event(actor, AuditEvent.ACCOUNT_PASSWORD_CHANGED, user)


@transaction.atomic
def start_totp_enrolment(user: User, *, actor: AnyUser | None) -> str:
    security = security_of(user)
    security.totp_secret = pyotp.random_base32()
    security.totp_enabled = False
    security.totp_last_step = None
    security.save(update_fields=["totp_secret", "totp_enabled", "totp_last_step", "updated_at"])
    return str(security.totp_secret)  # an EncryptedTextField: typed Any


@transaction.atomic
def verify_totp(user: User, code: str) -> bool:
    """Whether ``code`` is the user's current TOTP code (one step of clock drift either way),
    accepting each time step once: the accepted step is stored and that step and every earlier
    one are refused from then on, so a code cannot be replayed within its window."""
    security_of(user)
    # Locked row: two requests with the same code cannot both see the step as unused.
    security = UserSecurity.objects.select_for_update().get(user=user)
    if not security.totp_secret:
        return False
    totp = pyotp.TOTP(security.totp_secret)
    code = code.strip()
    current = int(time.time()) // totp.interval
    for step in (current - 1, current, current + 1):
        if security.totp_last_step is not None and step <= security.totp_last_step:
            continue
        if hmac.compare_digest(str(totp.at(step * totp.interval)), code):
            security.totp_last_step = step
            security.save(update_fields=["totp_last_step", "updated_at"])
            return True
    return False


@transaction.atomic
def confirm_totp(user: User, code: str, *, actor: AnyUser | None) -> bool:
    if not verify_totp(user, code):
        return False
    security = security_of(user)
    security.totp_enabled = True
    security.save(update_fields=["totp_enabled", "updated_at"])
    record_event(actor, AuditEvent.ACCOUNT_TOTP_ENABLED, user)
    return True


@transaction.atomic
def disable_totp(user: User, *, actor: AnyUser | None, password: str, code: str) -> bool:
    """Switches the second factor off only for someone who gives the account's password and a
    current (unused) code: a session left open is not enough. False if either is wrong.
    (An administrator resets a lost factor through the UserSecurity admin instead.)"""
    if not user.check_password(password) or not verify_totp(user, code):
        return False
    security = security_of(user)
    security.totp_enabled = False
    security.totp_secret = ""
    security.totp_last_step = None
    security.save(update_fields=["totp_enabled", "totp_secret", "totp_last_step", "updated_at"])
    record_event(actor, AuditEvent.ACCOUNT_TOTP_DISABLED, user)
    return True


@transaction.atomic
def grant_role(
    user: User,
    role: str,
    *,
    actor: AnyUser | None,
    valid_from: datetime.date,
    **scope: Any,
) -> RoleAssignment:
    assignment = RoleAssignment(user=user, role=role, valid_from=valid_from, **scope)
    assignment.full_clean()
    assignment.save()
    record_change(actor, assignment, None)
    return assignment


@transaction.atomic
def end_role(
    assignment: RoleAssignment, valid_to: datetime.date | None, *, actor: AnyUser | None
) -> None:
    before = snapshot(assignment)
    assignment.valid_to = valid_to
    assignment.full_clean()
    assignment.save(update_fields=["valid_to", "updated_at"])
    record_change(actor, assignment, before)


@transaction.atomic
def deactivate_user(user: User, *, actor: AnyUser | None) -> None:
    """The account can no longer sign in (its sessions stop working at the next request); its
    roles and history stay, so it can be reactivated."""
    if not user.is_active:
        return
    user.is_active = False
    user.save(update_fields=["is_active"])
    record_event(actor, AuditEvent.ACCOUNT_DEACTIVATED, user)


@transaction.atomic
def reactivate_user(user: User, *, actor: AnyUser | None) -> None:
    if user.is_active:
        return
    user.is_active = True
    user.save(update_fields=["is_active"])
    record_event(actor, AuditEvent.ACCOUNT_REACTIVATED, user)
