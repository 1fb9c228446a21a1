"""The catalogue of audit event names: every business event, sensitive read and sign-in.

``record_event`` / ``record_read`` / ``record_signin`` refuse a name that is not here, so the
trail can be filtered by a fixed list and the audit page can show words instead of codes.
Add a member here (with its label, translated in core's catalogue) before using a new name.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.TextChoices):
    # Accounts
    ACCOUNT_SIGNED_IN = "account.signed_in", _("signed in")
    ACCOUNT_SIGNED_OUT = "account.signed_out", _("signed out")
    ACCOUNT_PASSWORD_CHANGED = "account.password_changed", _("password changed")
    ACCOUNT_TOTP_ENABLED = "account.totp_enabled", _("two-step sign-in turned on")
    ACCOUNT_TOTP_DISABLED = "account.totp_disabled", _("two-step sign-in turned off")
    MEMBER_INVITED = "account.member_invited", _("party member invited to sign in")
    MEMBER_INVITATION_ACCEPTED = (
        "account.member_invitation_accepted",
        _("party member's sign-in created from an invitation"),
    )
    ROLE_INVITED = "account.role_invited", _("invited to sign in with a role")
    ROLE_INVITATION_ACCEPTED = (
        "account.role_invitation_accepted",
        _("sign-in created from a role invitation"),
    )
    ROLE_INVITATION_REVOKED = "account.role_invitation_revoked", _("invitation withdrawn")
    ACCOUNT_DEACTIVATED = "account.deactivated", _("account deactivated")
    ACCOUNT_REACTIVATED = "account.reactivated", _("account reactivated")
    # The trail itself and the system
    AUDIT_EXPORTED = "audit.exported", _("audit trail exported")
    AUDIT_PRUNED = "audit.pruned", _("old audit records removed")
    KEYS_ROTATED = "keys.rotated", _("encryption keys rotated")
    UPLOADS_SEALED = "uploads.sealed", _("uploaded files encrypted")
    DEMO_BUILT = "demo.built", _("demo data built")
    # Party members (personal data)
    MEMBER_ANONYMISED = "member.anonymised", _("member anonymised")
    MEMBER_ID_NUMBER_REVEALED = "member.id_number_revealed", _("member ID number shown")
    MEMBER_EXPORTED_FOR_SUBJECT = (
        "member.exported_for_subject",
        _("member's data exported for them"),
    )
    # Files
    FILE_UPLOADED = "file.uploaded", _("file uploaded")
    FILE_DOWNLOAD = "file.download", _("file downloaded")
    # Ledgers (imports)
    LEDGERS_UPLOADED = "ledgers.uploaded", _("ledger uploaded")
    LEDGERS_CANCELLED = "ledgers.cancelled", _("ledger import cancelled")
    LEDGERS_IMPORTED = "ledgers.imported", _("ledger imported")
    LEDGERS_ANALYSIS_QUEUED = "ledgers.analysis_queued", _("ledger check queued")
    LEDGERS_COMMIT_QUEUED = "ledgers.commit_queued", _("ledger import queued")
    LEDGERS_ERROR_WORKBOOK = "ledgers.error_workbook", _("ledger error workbook downloaded")
    LEDGERS_EXPORT_MEMBERS = "ledgers.export_members", _("member list exported unmasked")
    LEDGERS_EXPORT_MEMBERS_MASKED = (
        "ledgers.export_members_masked",
        _("member list exported masked"),
    )
    LEDGERS_EXPORT_ORGANIZATIONS = "ledgers.export_organizations", _("member units exported")
    LEDGERS_EXPORT_COVERAGE = "ledgers.export_coverage", _("coverage statistics exported")
    LEDGERS_LIST_EXPORTED = "ledgers.list_exported", _("list exported")
    LEDGERS_EXPORT_LIFECYCLE = (
        "ledgers.export_lifecycle",
        _("recruitment, transfers or flowing members ledger exported"),
    )
    # Exports made in the background (access.background_exports)
    EXPORT_QUEUED = "export.queued", _("export queued for the background")
    EXPORT_FAILED = "export.failed", _("background export failed")
    EXPORT_DOWNLOADED = "export.downloaded", _("background export downloaded")
    EXPORT_REMOVED = "export.removed", _("background export removed by its owner")
    EXPORTS_PRUNED = "export.pruned", _("expired exports removed")
    LEDGERS_WORKING_FILES_PRUNED = "ledgers.working_files_pruned", _("import working files removed")
    LEDGERS_UPLOADS_PRUNED = (
        "ledgers.uploads_pruned",
        _("archived ledger uploads removed after their retention"),
    )
    # Joining applications and formation
    INVITATION_CREATED = "invitation.created", _("invitation created")
    APPLICATION_SUBMITTED = "application.submitted", _("application submitted")
    APPLICATION_APPROVED = "application.approved", _("application approved")
    APPLICATION_RETURNED = "application.returned", _("application returned")
    APPLICATION_REJECTED = "application.rejected", _("application rejected")
    APPLICATION_LINK_REISSUED = "application.link_reissued", _("application link reissued")
    FORMATION_OPENED = "formation.opened", _("formation case opened")
    FORMATION_SUBMITTED = "formation.submitted", _("formation case submitted")
    FORMATION_RETURNED = "formation.returned", _("formation case returned")
    FORMATION_CANCELLED = "formation.cancelled", _("formation case cancelled")
    BRANCH_FORMED = "branch.formed", _("party branch formed")
    INSTRUCTOR_APPOINTED = "instructor.appointed", _("instructor appointed")
    INSTRUCTOR_ASSIGNED = "instructor.assigned", _("instructor assigned")
    INSTRUCTOR_ASSIGNMENT_ENDED = "instructor.assignment_ended", _("instructor assignment ended")
    # Inspections
    VISIT_UNREACHABLE = "visit.unreachable", _("visit found the unit unreachable")
    INSPECTION_CONCLUDED = "inspection.concluded", _("inspection concluded")
    GRADE_DECIDED = "grade.decided", _("grade decided")
    # Rules and findings
    RULES_RUN_REQUESTED = "rules.run_requested", _("rule run requested")
    FINDING_ACKNOWLEDGED = "finding.acknowledged", _("finding acknowledged")
    FINDING_RECTIFYING = "finding.rectifying", _("finding under rectification")
    FINDING_RESOLVED = "finding.resolved", _("finding resolved")
    FINDING_DISMISSED = "finding.dismissed", _("finding dismissed")
    FINDING_REOPENED = "finding.reopened", _("finding reopened")
    # Recommendation letters
    LETTER_DRAFTED = "letter.drafted", _("letter drafted")
    LETTER_ISSUED = "letter.issued", _("letter issued")
    LETTER_SENT = "letter.sent", _("letter sent")
    LETTER_ANSWERED = "letter.answered", _("letter answered")
    LETTER_CLOSED = "letter.closed", _("letter closed")
    LETTER_WITHDRAWN = "letter.withdrawn", _("letter withdrawn")
    LETTER_DOWNLOADED = "letter.downloaded", _("letter downloaded")
    # Recognition
    DESIGNATION_GRANTED = "designation.granted", _("designation granted")
    DESIGNATION_REVOKED = "designation.revoked", _("designation revoked")
    RECOGNITION_HONOUR = "recognition.honour", _("honour recorded")
    RECOGNITION_INDIVIDUAL = "recognition.individual", _("exemplary individual recorded")
    RECOGNITION_WORK = "recognition.work", _("platform showing recorded")
    # Case collection
    CASE_SUBMITTED = "case.submitted", _("case submitted")
    CASE_WITHDRAWN = "case.withdrawn", _("case withdrawn")
    CASE_IMAGE_ADDED = "case.image_added", _("case image added")
    CASE_ATTACHMENT_ADDED = "case.attachment_added", _("case attachment added")
    CASE_FILE_REMOVED = "case.file_removed", _("case file removed")
    CASE_FIGURES_PULLED = "case.figures_pulled", _("case figures filled in from the ledgers")
    CASE_REVIEWERS_ASSIGNED = "case.reviewers_assigned", _("case reviewers assigned")
    CASE_SECOND_ROUND = "case.second_round", _("second review round opened")
    CASE_PUBLISHED = "case.published", _("cases published")
    CASE_ATTACHMENT_DOWNLOAD = "case.attachment_download", _("case attachment downloaded")
    CASE_BLIND_ATTACHMENT_DOWNLOAD = (
        "case.blind_attachment_download",
        _("case attachment downloaded for blind review"),
    )
    # Facts (registry, party, governance, organizational life), written through their services
    REGISTRY_UNITS_ADMITTED = "registry.units_admitted", _("member units admitted")
    MEMBERSHIP_ENDED = "membership.ended", _("membership ended")
    PARTY_MEMBERS_CREATED = "party.members_created", _("party members added")
    PARTY_EMPLOYMENTS_STARTED = "party.employments_started", _("employments recorded")
    PARTY_COVERAGES_ADDED = "party.coverages_added", _("coverage of units added")
    PARTY_POSITIONS_APPOINTED = "party.positions_appointed", _("posts appointed")
    PARTY_INSTRUCTORS_APPOINTED = "party.instructors_appointed", _("instructors appointed")
    PARTY_INSTRUCTORS_ASSIGNED = (
        "party.instructors_assigned",
        _("instructors assigned to units"),
    )
    PARTY_ORGANIZATION_DISSOLVED = (
        "party_organization.dissolved",
        _("party organization dissolved"),
    )
    MEMBER_RELATION_MOVED = "member.relation_moved", _("organizational relation moved")
    PARTY_ELECTION_RECORDED = "party_organization.election_recorded", _("election recorded")
    PARTY_TERM_EXTENDED = "party_organization.term_extended", _("term extension approved")
    INSTRUCTOR_ENDED = "instructor.ended", _("instructor's appointment ended")
    GOVERNANCE_LEADERS_APPOINTED = (
        "governance.leaders_appointed",
        _("unit leaders recorded"),
    )
    GOVERNANCE_CHARTERS_RECORDED = (
        "governance.charters_recorded",
        _("charter revisions recorded"),
    )
    GOVERNANCE_DECISIONS_RECORDED = (
        "governance.decisions_recorded",
        _("major decisions recorded"),
    )
    ORGLIFE_MEETINGS_RECORDED = "orglife.meetings_recorded", _("meetings recorded")
    ORGLIFE_MEETING_RECORDED = "orglife.meeting_recorded", _("meeting recorded as held")
    ORGLIFE_SIGNED_IN = "orglife.signed_in", _("signed in to a meeting by QR code")
    ORGLIFE_SIGN_IN_REFUSED = "orglife.sign_in_refused", _("meeting sign-in refused")
    ORGLIFE_ATTENDANCE_IMPORTED = "orglife.attendance_imported", _("meeting attendance imported")
    ORGLIFE_ATTENDANCE_MARKED = "orglife.attendance_marked", _("meeting attendance marked")
    ORGLIFE_MINUTES_SIGNED = "orglife.minutes_signed", _("stored minutes signed")
    # Party dues
    DUES_ASSESSED = "dues.assessed", _("dues amounts set")
    DUES_PAYMENTS_RECORDED = "dues.payments_recorded", _("dues payments recorded")
    DUES_HANDED_IN = "dues.handed_in", _("dues handed in to the higher organization")
    DUES_HAND_IN_RECEIVED = "dues.hand_in_received", _("dues hand-in received")
    DUES_PUBLISHED = "dues.published", _("dues of the year published")
    DUES_LEDGER_EXPORTED = "dues.ledger_exported", _("dues ledger exported")
    DUES_REGISTER_EXPORTED = "dues.register_exported", _("dues register of the year exported")
    # Notices sent down with receipt (notices)
    NOTICE_PUBLISHED = "notice.published", _("notice published")
    NOTICE_WITHDRAWN = "notice.withdrawn", _("notice withdrawn")
    NOTICE_REPUBLISHED = "notice.republished", _("notice replaced by a new version")
    NOTICE_READ = "notice.read", _("notice opened by a recipient")
    NOTICE_SIGNED = "notice.signed", _("notice signed for")
    NOTICE_FEEDBACK_SUBMITTED = "notice.feedback_submitted", _("task feedback submitted")
    NOTICE_FEEDBACK_ACCEPTED = "notice.feedback_accepted", _("task feedback accepted")
    NOTICE_FEEDBACK_RETURNED = "notice.feedback_returned", _("task feedback returned for more")
    NOTICE_REMINDED = "notice.reminded", _("notice reminders sent")
    NOTICE_LEAVE_ASKED = "notice.leave_asked", _("leave asked for a meeting notice")
    DUTY_TASKS_GENERATED = "notice.duty_tasks_generated", _("recurring duty tasks generated")
    DUTY_ENDED = "notice.duty_ended", _("recurring duty ended")
    # Operations
    SCHEDULED_JOB_DONE = "ops.scheduled_job_done", _("scheduled job done")
    SCHEDULED_LOCK_TAKEN_OVER = (
        "ops.nightly_lock_taken_over",
        _("a crashed nightly run's lock taken over"),
    )


def checked(name: str) -> AuditEvent:
    """The catalogue member for ``name``; a name not in the catalogue is a programming error."""
    try:
        return AuditEvent(name)
    except ValueError:
        raise ValueError(
            f"Unknown audit event {name!r}: add it to dangjian.core.events.AuditEvent first."
        ) from None


def label(name: str) -> str:
    """The words for an event name on the audit page (the name itself if it is an old one)."""
    try:
        return str(AuditEvent(name).label)
    except ValueError:
        return name
