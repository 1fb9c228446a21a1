"""Party members' own sign-ins, made from a one-time invitation link.

An intranet has no e-mail to rely on: the branch secretary (or the federation officer) opens
the member's record, asks for a link, and shows it on screen as a QR code for the member to
scan. Only a hash of the token is stored; the link works once and expires after the rulebook's
``accounts.member_invitation.valid_hours``; asking again revokes the earlier link. Accepting it
creates the account (the member chooses a user name and a password the project's validators
accept), binds it to the member's ledger record with the party member role, and signs in.
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

from dangjian.access import scope
from dangjian.access.models import Action, MemberInvitation, RoleAssignment, UserSecurity
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


@transaction.atomic
def invite(member: PartyMember, *, actor: AnyUser) -> tuple[MemberInvitation, str]:
    """A new invitation for ``member`` and its token (shown once; only its hash is kept)."""
    if not may_invite(actor, member):
        raise WorkflowError(_("You may not invite this member."))
    if member.left_on is not None or member.anonymised_at is not None:
        raise WorkflowError(_("This member is no longer in the ledger and cannot be invited."))
    if has_account(member):
        raise WorkflowError(_("This member already has a sign-in."))
    now = timezone.now()
    MemberInvitation.objects.filter(member=member, used_at=None, revoked_at=None).update(
        revoked_at=now
    )
    token = secrets.token_urlsafe(24)
    invitation = MemberInvitation.objects.create(
        member=member,
        token_hash=_hash(token),
        expires_at=now + datetime.timedelta(hours=valid_hours(member)),
        created_by=acting_user(actor),
    )
    record_event(
        actor,
        AuditEvent.MEMBER_INVITED,
        member,
        invitation=invitation.pk,
        expires_at=invitation.expires_at.isoformat(),
    )
    return invitation, token


def open_invitation(token: str, *, now: datetime.datetime | None = None) -> MemberInvitation:
    """The invitation ``token`` opens, or ``WorkflowError`` saying why not."""
    invitation = (
        MemberInvitation.objects.select_related("member").filter(token_hash=_hash(token)).first()
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
    """Create the member's account from the invitation (once), with the party member role."""
    found = open_invitation(token)
    # Locked: two submissions of the same link cannot both make an account.
    invitation = MemberInvitation.objects.select_for_update().get(pk=found.pk)
    open_invitation(token)  # again, under the lock
    member = invitation.member
    if has_account(member):
        raise WorkflowError(_("This member already has a sign-in."))
    users = get_user_model()
    if users.objects.filter(username__iexact=username).exists():
        raise WorkflowError(_("This user name is taken. Choose another."))
    user = users.objects.create_user(username, password=password, first_name=member.name)
    now = timezone.now()
    # The member chose the password: no forced change at the first sign-in.
    UserSecurity.objects.update_or_create(
        user=user, defaults={"must_change_password": False, "password_changed_at": now}
    )
    grant_role(user, Role.PARTY_MEMBER, actor=user, valid_from=timezone.localdate(), member=member)
    invitation.used_at, invitation.user = now, user
    invitation.save(update_fields=["used_at", "user", "updated_at"])
    record_event(user, AuditEvent.MEMBER_INVITATION_ACCEPTED, member, invitation=invitation.pk)
    return user
