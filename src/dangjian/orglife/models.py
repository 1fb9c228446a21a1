"""Organizational life: 三会一课, 主题党日, 组织生活会, 民主评议党员, 谈心谈话, study sessions —
planned, held, with who attended, what was decided, and the files of the record.

A meeting counts as the required meeting of its kind (``counts``) only when it was held and,
where the regulations set a quorum, met it; the services keep that column, the rules read it.
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import TimeStamped, Versioned
from dangjian.party.models import Election, PartyMember, PartyOrganization, Position


class Meeting(Versioned, TimeStamped):
    class Kind(models.TextChoices):
        GENERAL_MEETING = "general_meeting", _("branch general meeting")
        COMMITTEE_MEETING = "committee_meeting", _("branch committee meeting")
        GROUP_MEETING = "group_meeting", _("party group meeting")
        PARTY_LESSON = "party_lesson", _("party lesson")
        THEME_DAY = "theme_day", _("theme party day")
        LIFE_MEETING = "life_meeting", _("organizational life meeting")
        DEMOCRATIC_REVIEW = "democratic_review", _("democratic review of members")
        HEART_TO_HEART = "heart_to_heart", _("heart-to-heart talk")
        STUDY = "study", _("member activity or study session")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        HELD = "held", _("held and recorded")

    # Not indexed alone: the (party organization, day, …) index of the Meta begins with it
    # and serves every lookup, join and cascade (migration orglife 0016).
    party_organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("party organization"),
        on_delete=models.CASCADE,
        related_name="meetings",
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # Imported and older meetings are records of what was held.
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.HELD
    )
    held_on = models.DateField(_("held on"))
    starts_at = models.TimeField(_("starts at"), null=True, blank=True)
    ends_at = models.TimeField(_("ends at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    chair = models.ForeignKey(
        PartyMember,
        verbose_name=_("chaired by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorder = models.ForeignKey(
        PartyMember,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    # Sanitised HTML (orglife.minutes.clean_minutes), never shown unsanitised.
    minutes = models.TextField(_("minutes"), blank=True)
    # Written with the minutes by the meeting services (``services.meetings.sign_minutes``),
    # read by the near-duplicate rule instead of the text: the minutes' length as words
    # (``similarity.plain``) and their MinHash signature (``similarity.pack``).
    minutes_chars = models.PositiveIntegerField(default=0, editable=False)
    minutes_signature = models.BinaryField(default=b"", blank=True, editable=False)
    # The signature's band keys and fingerprint (``similarity.digests``): what the rule's whole
    # run reads, a quarter of the signature's bytes. b"": no signature; None: signed before
    # digests were stored (migration 0013), until ``dangjian sign_minutes`` digests it — the
    # rule reads the signature meanwhile. Nullable so that adding it rewrites no table.
    minutes_digest = models.BinaryField(null=True, blank=True, editable=False)
    # 应到 / 实到: members expected (voting and probationary) and those of them present; from
    # the attendance when it is recorded, else as imported.
    expected_count = models.PositiveIntegerField(_("expected attendance"), null=True, blank=True)
    present_count = models.PositiveIntegerField(_("present"), null=True, blank=True)
    # The quorum's base and count: those with a vote (full members; the committee at a
    # committee meeting) expected, and present.
    voters_expected = models.PositiveIntegerField(_("expected with a vote"), null=True, blank=True)
    voters_present = models.PositiveIntegerField(_("present with a vote"), null=True, blank=True)
    # None: no quorum applies to the kind, or the numbers are not known.
    quorum_met = models.BooleanField(_("quorum met"), null=True, blank=True)
    counts = models.BooleanField(_("counts as the required meeting"), default=True)
    # When the record was written as held on the pages (or the admin); empty for meetings
    # brought in from a ledger, whose record was written on paper at a time nobody knows.
    recorded_at = models.DateTimeField(_("record written at"), null=True, blank=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-held_on", "-id"]
        indexes = [
            # A branch's meetings by day — and, holding every column the rules read of the
            # meetings of a window, all they need without a visit to the table (whose rows
            # carry the minutes: 720 bytes each on average at the demo's size). The most
            # present per branch (the impossible-attendance rule) and the late records read
            # 1.8 million index entries at 100,000 units instead of walking the table: 2.7 →
            # 0.7 s and 2.1 → 0.2 s on SQLite, 1.2 → 0.5 s and 0.7 → 0.2 s on PostgreSQL.
            models.Index(
                fields=[
                    "party_organization",
                    "held_on",
                    "status",
                    "kind",
                    "present_count",
                    "recorded_at",
                    "id",
                ],
                name="orglife_meeting_org_day",
            ),
            # The rules engine's "did anything change since the last run" probe reads the latest
            # updated_at; without an index that is a scan of every meeting (10^7 rows) on SQLite.
            models.Index(fields=["updated_at"], name="orglife_meeting_updated_at"),
            # The meeting list's keyset order (newest first) over every branch in scope: walked
            # backwards, it stops after a page instead of sorting millions of meetings.
            models.Index(fields=["held_on", "id"], name="orglife_meeting_held_on_id"),
            # Minutes stored without a signature (written before signatures were, until
            # ``dangjian sign_minutes`` signs them): the near-duplicate rule judges per branch
            # only when none is in its window (``rules.kinds.integrity``).
            models.Index(
                fields=["held_on"],
                name="orglife_meeting_unsigned",
                condition=models.Q(minutes_chars=0, minutes_signature=b"") & ~models.Q(minutes=""),
            ),
            # Signatures stored without a digest (written before digests were, until
            # ``dangjian sign_minutes`` digests them): found by this index, empty once done.
            models.Index(
                fields=["id"],
                name="orglife_meeting_undigested",
                condition=models.Q(minutes_digest__isnull=True) & ~models.Q(minutes_signature=b""),
            ),
        ]

    def __str__(self):
        return f"{self.held_on} {self.get_kind_display()}"

    @property
    def is_planned(self) -> bool:
        return self.status == self.Status.PLANNED


class Attendance(TimeStamped):
    """One member at one meeting: present, or absent with the reason; how it was taken."""

    class Role(models.TextChoices):
        VOTER = "voter", _("full member (votes)")
        PROBATIONARY = "probationary", _("probationary member (attends, no vote)")
        COMMITTEE = "committee", _("committee member")
        GUEST = "guest", _("attending from another branch (not counted)")
        # A flowing member (流动党员) the branch hosts: expected and counted in 应到 / 实到,
        # never a vote nor the quorum (their vote stays with their own branch; LIFECYCLE O-5).
        FLOWING = "flowing", _("flowing member hosted here (attends, no vote)")

    class Status(models.TextChoices):
        PRESENT = "present", _("attended")
        ABSENT = "absent", _("absent")

    class Reason(models.TextChoices):
        SICK = "sick", _("sick leave")
        PERSONAL = "personal", _("personal leave")
        OFFICIAL = "official", _("on official duty")
        OTHER = "other", _("other reason")

    class Method(models.TextChoices):
        HAND = "hand", _("marked by hand")
        QR = "qr", _("signed in by QR code")
        IMPORT = "import", _("imported from a ledger")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attendance"
    )
    member = models.ForeignKey(
        PartyMember,
        verbose_name=_("party member"),
        on_delete=models.CASCADE,
        related_name="attendance",
    )
    role = models.CharField(_("attends as"), max_length=14, choices=Role.choices)
    status = models.CharField(_("attendance"), max_length=8, choices=Status.choices)
    reason = models.CharField(
        _("reason of absence"), max_length=8, choices=Reason.choices, blank=True
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    method = models.CharField(_("taken"), max_length=8, choices=Method.choices)
    signed_at = models.DateTimeField(_("signed in at"), null=True, blank=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["meeting_id", "id"]
        constraints = [
            # A retried sign-in (a phone that lost the network) cannot count anyone twice.
            models.UniqueConstraint(fields=["meeting", "member"], name="orglife_attendance_once")
        ]

    def __str__(self):
        return f"{self.meeting} {self.member} {self.get_status_display()}"


class Resolution(TimeStamped):
    """A decision put to the vote at a meeting, with the votes and whether it passed."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="resolutions"
    )
    text = models.CharField(_("resolution"), max_length=500)
    votes_for = models.PositiveIntegerField(_("votes for"), default=0)
    votes_against = models.PositiveIntegerField(_("votes against"), default=0)
    abstentions = models.PositiveIntegerField(_("abstentions"), default=0)
    passed = models.BooleanField(_("passed"), default=False)

    class Meta:
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")
        ordering = ["meeting_id", "id"]

    def __str__(self):
        return self.text


def _attachment_path(instance, filename):
    return f"orglife/{uuid.uuid4().hex}.{instance.kind}"


class MeetingAttachment(TimeStamped):
    """A photo (re-encoded: no EXIF, no GPS) or a PDF (the sign-in sheet, a document) of the
    meeting's record; its type was read from its content, not its name."""

    class Kind(models.TextChoices):
        PHOTO = "jpg", _("photo")
        PDF = "pdf", _("PDF document")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=_attachment_path)
    kind = models.CharField(_("file type"), max_length=4, choices=Kind.choices)
    original_name = models.CharField(_("original file name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    # A photo's perceptual hash (64-bit dHash, hex): the same picture re-encoded, resized or
    # slightly edited keeps nearly the same bits (orglife.photohash).
    phash = models.CharField(_("perceptual hash"), max_length=16, blank=True, db_index=True)

    class Meta:
        verbose_name = _("meeting attachment")
        verbose_name_plural = _("meeting attachments")
        ordering = ["meeting_id", "id"]

    def __str__(self):
        return self.original_name


class MeetingCount(models.Model):
    """The meetings of a kind a party organization held in a year that count as the required
    one (``Meeting.counts``): the months with one (bit ``m`` for month ``m + 1``) and how many.
    Kept by ``orglife.services.period_counts.recount``, which every meeting writer calls
    (through ``services.journal.meetings_changed``), so the organizational-life rule reads
    O(branches × years) rows, not every meeting — and not a row a month: every period (month,
    quarter, year) is held when any of its months' bits is set. ``dangjian recount_meetings``
    rebuilds them and reports any drift."""

    # Not indexed alone: the (party organization, kind, year) key begins with it (orglife 0016).
    party_organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("party organization"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Meeting.Kind.choices)
    year = models.IntegerField(_("year"))
    months = models.PositiveIntegerField(_("months held"))
    held = models.PositiveIntegerField(_("meetings held"))

    class Meta:
        verbose_name = _("meetings in a year")
        verbose_name_plural = _("meetings in a year")
        constraints = [
            models.UniqueConstraint(
                fields=["party_organization", "kind", "year"], name="orglife_count_year_unique"
            )
        ]
        # What the organizational-life rule reads, in an index that holds every column it
        # reads: PostgreSQL scans one meeting kind's rows in (kind, organization) order without
        # visiting the table, instead of the whole table for a kind or two; SQLite's seek per
        # (organization, kind) reads the months without a lookup in the table.
        indexes = [
            models.Index(
                fields=["kind", "party_organization", "year", "months"],
                name="orglife_count_kind_org",
            )
        ]

    def __str__(self):
        return f"{self.party_organization_id} {self.kind} {self.year}: {self.held} ({self.months:012b})"


class PresentPeak(models.Model):
    """The most present (``present_count``) at one held meeting of a party organization in a
    year, over every kind but those open to people who are not its members
    (``PEAK_EXCLUDED_KINDS``): an upper bound the impossible-attendance rule compares with the
    branch's members before counting any meeting one by one, read as O(branches × years) rows
    instead of every meeting of its window. Kept beside ``MeetingCount`` by
    ``orglife.services.period_counts`` (which every meeting writer calls) and checked by
    ``dangjian recount_meetings``; a year without a meeting with anyone present has no row."""

    # Heart-to-heart talks and "other" meetings may count people who are not the branch's
    # members, so their attendance is never compared with the branch's members.
    PEAK_EXCLUDED_KINDS = (Meeting.Kind.HEART_TO_HEART, Meeting.Kind.OTHER)

    party_organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("party organization"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the (party organization, year) key begins with it
    )
    year = models.IntegerField(_("year"))
    most = models.PositiveIntegerField(_("most present"))

    class Meta:
        verbose_name = _("most present in a year")
        verbose_name_plural = _("most present in a year")
        constraints = [
            models.UniqueConstraint(
                fields=["party_organization", "year"], name="orglife_peak_year_unique"
            )
        ]

    def __str__(self):
        return f"{self.party_organization_id} {self.year}: {self.most}"


class LastAttended(models.Model):
    """The latest day a member attended a held meeting (present): one half of their last
    contact (``transfers.queries.out_of_contact``, LIFECYCLE T-8), read as a column instead of
    the latest of their attendance rows. Kept by ``orglife.services.contact``, which every
    attendance writer calls; ``dangjian last_contacts`` rebuilds it and reports any drift."""

    member = models.OneToOneField(
        PartyMember,
        verbose_name=_("party member"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="attended_fact",
    )
    held_on = models.DateField(_("last meeting attended"))

    class Meta:
        verbose_name = _("last meeting attended")
        verbose_name_plural = _("last meetings attended")

    def __str__(self):
        return f"{self.member_id}: {self.held_on}"


class LastRecorded(models.Model):
    """The latest day a party organization held a meeting with its attendance recorded: it
    keeps its members' records here (``transfers.queries.keeping_records``). Kept by
    ``journal.meetings_changed``, which every meeting writer calls."""

    party_organization = models.OneToOneField(
        PartyOrganization,
        verbose_name=_("party organization"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="recorded_fact",
    )
    held_on = models.DateField(_("last meeting recorded"))

    class Meta:
        verbose_name = _("last meeting recorded")
        verbose_name_plural = _("last meetings recorded")
        # The branches that kept records since a day: a range, not a test of every branch.
        indexes = [models.Index(fields=["held_on"], name="orglife_recorded_held_on")]

    def __str__(self):
        return f"{self.party_organization_id}: {self.held_on}"


class MinuteBand(models.Model):
    """One band of a meeting's stored minutes signature (``similarity.stored_bands``: the
    shingle length ``k`` and the band's key), so that the meetings whose minutes share a band
    with a meeting's — the near-duplicate rule's candidates — are one indexed lookup, not a
    read of every signature. Kept with the signature by the meeting services
    (``services.bands.refresh``); ``dangjian sign_minutes --bands`` rebuilds them."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="+")
    k = models.PositiveSmallIntegerField()
    key = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["k", "key", "meeting"], name="orglife_minuteband_key")]

    def __str__(self):
        return f"{self.meeting_id}: {self.k}/{self.key}"


class MinutePair(models.Model):
    """Two meetings whose minutes are at least ``services.pairs.KEPT_FLOOR`` alike, measured
    exactly (Jaccard of their ``k``-character shingles), of those sharing a band
    (``MinuteBand``) — kept as the bands are (``services.pairs``), so that the near-duplicate
    rule judged whole reads the window's pairs instead of pairing a year of signatures.
    ``agreement``: the bins their fingerprints agree in (``similarity.agreeing``), so that a
    read applies the same filter (``similarity.floor_bins``) as a ``similarity.Table``.
    ``first`` is the lower meeting id; each side has its foreign key's index (a meeting's pairs
    are found and removed from either)."""

    first = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="+")
    k = models.PositiveSmallIntegerField()
    agreement = models.PositiveSmallIntegerField()
    similarity = models.FloatField()

    def __str__(self):
        return f"{self.first_id} ~ {self.second_id}: {self.similarity:.2f}"


class MinutePairing(models.Model):
    """The kept pairs of shingle length ``k`` are complete — every pair at least ``floor``
    alike of minutes at least ``min_chars`` long — since ``built_at`` (``services.pairs.rebuild``); every writer of a signature has
    kept them since. No row: the rule pairs the signatures itself."""

    k = models.PositiveSmallIntegerField(unique=True)
    floor = models.FloatField()
    min_chars = models.PositiveIntegerField()
    built_at = models.DateTimeField()

    def __str__(self):
        return f"{self.k}: {self.floor}"


class MeetingElection(TimeStamped):
    """An election held at a general meeting (选举工作条例 2020): how many members with a vote
    were expected and present, whether that was enough (more than four fifths), and the term it
    started — the term history and the posts are party's (``party.services.terms``), written
    only when the election was valid."""

    meeting = models.OneToOneField(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="election"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Election.Kind.choices)
    term_years = models.PositiveSmallIntegerField(_("term length (years)"), null=True, blank=True)
    voters_expected = models.PositiveIntegerField(_("expected with a vote"))
    voters_present = models.PositiveIntegerField(_("present with a vote"))
    valid = models.BooleanField(_("election valid"), default=False)
    # The election in the term history (empty when the election was not valid).
    election = models.OneToOneField(
        Election,
        verbose_name=_("election"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("election at a meeting")
        verbose_name_plural = _("elections at meetings")

    def __str__(self):
        return f"{self.meeting} {self.get_kind_display()}"


class ElectionCandidate(TimeStamped):
    """A candidate at an election, the post they stood for, their votes, whether elected."""

    meeting_election = models.ForeignKey(
        MeetingElection,
        verbose_name=_("election"),
        on_delete=models.CASCADE,
        related_name="candidates",
    )
    member = models.ForeignKey(
        PartyMember, verbose_name=_("party member"), on_delete=models.CASCADE, related_name="+"
    )
    role = models.CharField(_("post"), max_length=16, choices=Position.Role.choices)
    votes = models.PositiveIntegerField(_("votes"))
    elected = models.BooleanField(_("elected"), default=False)

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["meeting_election_id", "id"]

    def __str__(self):
        return f"{self.member} {self.get_role_display()}"
