"""Sign-ins made from a one-time invitation link, for any role: a party member (their branch
secretary or the federation officer opens the member's record and asks for a link), or a
liaison, secretary, instructor, expert … (the federation officer, from the people pages).

An intranet has no e-mail to rely on: whoever invites shows the link on screen as a QR code
for the person to scan, or passes it on. Only a hash of the token is stored; the link works once and expires after the rulebook's
``accounts.member_invitation.valid_hours``; asking again revokes the earlier link. Accepting it
creates the account (the person chooses a user name and a password the project's validators
accept), grants the invitation's role with its scope (a party member's: bound to their ledger
record), and signs in.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.access import people, scope
from dangjian.access.models import Action, RoleAssignment, RoleInvitation, UserSecurity
from dangjian.access.scope import AnyUser
from dangjian.access.services import grant_role
from dangjian.core.audit import acting_user, record_event
from dangjian.core.errors import WorkflowError
from dangjian.core.events import AuditEvent
from dangjian.party.models import PartyMember
from dangjian.rulebook import params

Role = RoleAssignment.Role
# Who may invite: the member's own branch secretary, the federation's officer, an administrator.
INVITING_ROLES = (Role.BRANCH_SECRETARY, Role.FEDERATION_OFFICER, Role.ADMIN)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def may_invite(user: AnyUser, member: PartyMember) -> bool:
    """Whether ``user`` may invite ``member``: the member is in their scope to edit, and they
    are the secretary of the branch holding the member's 组织关系, or an officer or
    administrator over it."""
    if not scope.members(user, Action.EDIT).filter(pk=member.pk).exists():
        return False
    for grant in scope.assignments(user, Action.EDIT):
        if grant.role in (Role.FEDERATION_OFFICER, Role.ADMIN):
            return True
        if (
            grant.role == Role.BRANCH_SECRETARY
            and grant.party_organization_id == member.relation_party_organization_id
        ):
            return True
    return False


def has_account(member: PartyMember) -> bool:
    return RoleAssignment.objects.current().filter(role=Role.PARTY_MEMBER, member=member).exists()


def valid_hours(member: PartyMember) -> int:
    branch = member.relation_party_organization
    federation = branch.federation if branch is not None else None
    return int(params.value("accounts.member_invitation", "valid_hours", federation=federation))


def _valid_hours(federation: object | None) -> int:
    return int(params.value("accounts.member_invitation", "valid_hours", federation=federation))


def _create(
    role: str, *, name: str, actor: AnyUser, fields: dict[str, object], hours: int
) -> tuple[RoleInvitation, str]:
    now = timezone.now()
    token = secrets.token_urlsafe(24)
    invitation = RoleInvitation.objects.create(
        role=role,
        name=name,
        token_hash=_hash(token),
        expires_at=now + datetime.timedelta(hours=hours),
        created_by=acting_user(actor),
        **fields,
    )
    return invitation, token


@transaction.atomic
def invite(member: PartyMember, *, actor: AnyUser) -> tuple[RoleInvitation, str]:
    """A new invitation for ``member`` and its token (shown once; only its hash is kept)."""
    if not may_invite(actor, member):
        raise WorkflowError(_("You may not invite this member."))
    if member.left_on is not None or member.anonymised_at is not None:
        raise WorkflowError(_("This member is no longer in the ledger and cannot be invited."))
    if has_account(member):
        raise WorkflowError(_("This member already has a sign-in."))
    RoleInvitation.objects.filter(
        member=member, role=Role.PARTY_MEMBER, used_at=None, revoked_at=None
    ).update(revoked_at=timezone.now())
    invitation, token = _create(
        Role.PARTY_MEMBER,
        name=member.name,
        actor=actor,
        fields={"member": member},
        hours=valid_hours(member),
    )
    record_event(
        actor,
        AuditEvent.MEMBER_INVITED,
        member,
        invitation=invitation.pk,
        expires_at=invitation.expires_at.isoformat(),
    )
    return invitation, token


@transaction.atomic
def invite_role(
    role: str, *, name: str, actor: AnyUser, **where: object
) -> tuple[RoleInvitation, str]:
    """A new invitation for a person (named ``name``) to sign in with ``role`` over ``where``
    (its scope fields), checked against what ``actor`` manages (``access.people``)."""
    if role == Role.PARTY_MEMBER and isinstance(where.get("member"), PartyMember):
        return invite(where["member"], actor=actor)  # type: ignore[arg-type]
    fields = people.check_grant(actor, role, where)
    if not name.strip():
        raise WorkflowError(_("Give the name of the person invited."))
    federation = fields.get("federation") or scope.federations(actor, Action.EDIT).first()
    invitation, token = _create(
        role, name=name.strip(), actor=actor, fields=fields, hours=_valid_hours(federation)
    )
    record_event(
        actor,
        AuditEvent.ROLE_INVITED,
        invitation,
        role=role,
        expires_at=invitation.expires_at.isoformat(),
    )
    return invitation, token


@transaction.atomic
def revoke(invitation: RoleInvitation, *, actor: AnyUser) -> None:
    if invitation.used_at is not None or invitation.revoked_at is not None:
        raise WorkflowError(_("This invitation is no longer open."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at", "updated_at"])
    record_event(actor, AuditEvent.ROLE_INVITATION_REVOKED, invitation)


def open_invitation(token: str, *, now: datetime.datetime | None = None) -> RoleInvitation:
    """The invitation ``token`` opens, or ``WorkflowError`` saying why not."""
    invitation = (
        RoleInvitation.objects.select_related("member").filter(token_hash=_hash(token)).first()
    )
    if invitation is None:
        raise WorkflowError(_("This invitation link is not valid. Ask for a new one."))
    if invitation.used_at is not None:
        raise WorkflowError(
            _("This invitation link has already been used. Sign in with the user name chosen then.")
        )
    if invitation.revoked_at is not None:
        raise WorkflowError(
            _("This invitation link was replaced by a newer one. Use the newest link.")
        )
    if (now or timezone.now()) > invitation.expires_at:
        raise WorkflowError(_("This invitation link has expired. Ask for a new one."))
    return invitation


@transaction.atomic
def accept(token: str, *, username: str, password: str) -> User:
    """Create the person's account from the invitation (once), with its role and scope."""
    found = open_invitation(token)
    # Locked: two submissions of the same link cannot both make an account.
    invitation = RoleInvitation.objects.select_for_update().get(pk=found.pk)
    open_invitation(token)  # again, under the lock
    member = invitation.member
    if member is not None and has_account(member):
        raise WorkflowError(_("This member already has a sign-in."))
    users = get_user_model()
    if users.objects.filter(username__iexact=username).exists():
        raise WorkflowError(_("This user name is taken. Choose another."))
    name = member.name if member is not None else invitation.name
    user = users.objects.create_user(username, password=password, first_name=name)
    now = timezone.now()
    # The member chose the password: no forced change at the first sign-in.
    UserSecurity.objects.update_or_create(
        user=user, defaults={"must_change_password": False, "password_changed_at": now}
    )
    grant_role(
        user, invitation.role, actor=user, valid_from=timezone.localdate(), **invitation.scope()
    )
    invitation.used_at, invitation.user = now, user
    invitation.save(update_fields=["used_at", "user", "updated_at"])
    if member is not None:
        record_event(user, AuditEvent.MEMBER_INVITATION_ACCEPTED, member, invitation=invitation.pk)
    else:
        record_event(user, AuditEvent.ROLE_INVITATION_ACCEPTED, invitation, role=invitation.role)
    return user
