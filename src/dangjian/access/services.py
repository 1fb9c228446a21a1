"""Writes of the access app: passwords, second factor, role assignments."""

import datetime
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
    security.save(update_fields=["totp_secret", "totp_enabled", "updated_at"])
    return str(security.totp_secret)  # an EncryptedTextField: typed Any


def verify_totp(user: User, code: str) -> bool:
    security = security_of(user)
    if not security.totp_secret:
        return False
    # pyotp ships no types
    return bool(pyotp.TOTP(security.totp_secret).verify(code.strip(), valid_window=1))


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
def disable_totp(user: User, *, actor: AnyUser | None) -> None:
    security = security_of(user)
    security.totp_enabled = False
    security.totp_secret = ""
    security.save(update_fields=["totp_enabled", "totp_secret", "updated_at"])
    record_event(actor, AuditEvent.ACCOUNT_TOTP_DISABLED, user)


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
