"""The one door: every model a user reaches has one registered rule, and one lookup returns the
object with what the user may do on it (404 for missing and forbidden alike)."""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.http import Http404

from dangjian.access import scope
from dangjian.access.models import Action
from dangjian.party.models import Instructor
from dangjian.registry.models import Organization

pytestmark = pytest.mark.django_db

# Models no page shows as records of their own: configuration, bookkeeping and the audit
# trail (the auditor's pages are checked separately), each with its reason.
UNREGISTERED = {
    "access.UserSecurity",  # the user's own security settings
    "access.SignInAttempt",  # lock-out bookkeeping
    "access.PasswordHistory",  # hashes of earlier passwords, read by a password validator only
    "core.AuditLog",  # the auditor reads every row on purpose
    "core.Touch",  # the journal of touched subjects, read by the rules engine only
    "orglife.MeetingCount",  # counts per branch and year, read by the rules engine only
    "orglife.PresentPeak",  # the most present per branch and year, likewise
    "orglife.MinuteBand",  # minutes' LSH band keys (hashes, no text), read by the rules engine only
    "orglife.MinutePair",  # alike minutes' meeting ids and similarity, read by the rules engine
    "orglife.MinutePairing",  # for which shingle length the pairs are complete: bookkeeping
    # Latest dates kept per member and branch, read through the members' own scope
    # (transfers.queries.out_of_contact), never as records of their own.
    "orglife.LastAttended",
    "orglife.LastRecorded",
    "dues.LastPaid",
    "dues.BranchLastPaid",
    "core.Counter",  # numbering bookkeeping (the registers' last numbers)
    "dashboard.NightlyLock",  # the nightly run's lock: operations bookkeeping, no page
    "core.CalendarDay",  # the public holiday schedule: the same for everyone, no personal data
    "registry.Domain",  # a fixed list of fields of work
    "applications.StoredFile",  # reached only through its owner (application, dossier, case)
    "applications.ApplicantMember",  # shown only inside its application
    "applications.StatusChange",  # shown only inside its application
    "cases.ReviewerProfile",  # the expert pool is shown to campaign owners by design
    "cases.PublicationRevision",  # shown only inside its publication
    "rules.CoverageSnapshot",  # aggregate figures, no names
    "rules.CoverageDay",  # aggregate figures, no names
    "rules.RuleState",  # engine bookkeeping
    "rules.InputChange",  # change counts per input table, kept by database triggers
    "rules.CoverageUnit",  # a unit's part in kept aggregate figures: groups and flags, no names
    "rules.CoverageBranch",  # a party organization's full members in kept figures: a count
    "rules.CoverageChange",  # ids of changed units, kept by database triggers
    "rules.FindingObservation",  # shown only inside its finding (and its "as of" list rows)
    "rules.FindingStatusChange",  # shown only inside its finding
}


def user(name):
    return get_user_model().objects.get(username=name)


def test_every_project_model_has_a_rule_or_a_reason():
    missing = [
        model._meta.label
        for model in apps.get_models()
        if model.__module__.startswith("dangjian.")
        and model._meta.label not in UNREGISTERED
        and model not in scope.registered_models()
    ]
    assert missing == []


def test_visible_by_label_is_the_same_lookup():
    liaison = user("liaison")
    assert list(scope.visible("registry.Organization", liaison)) == list(
        scope.visible(Organization, liaison)
    )


def test_get_with_rights_returns_the_object_and_its_actions():
    org = Organization.objects.get(name="天津市互联网协会")
    obj, rights = scope.get_with_rights(user("officer"), Organization, org.pk)
    assert obj == org
    assert {Action.VIEW, Action.EDIT, Action.APPROVE, Action.VIEW_PERSONAL} <= rights
    _, rights = scope.get_with_rights(user("liaison"), Organization, org.pk)
    assert Action.EDIT in rights and Action.APPROVE not in rights
    _, rights = scope.get_with_rights(user("authority"), Organization, org.pk)
    assert rights == {Action.VIEW, Action.EXPORT}


@pytest.mark.parametrize("pk", ["missing", "forbidden"])
def test_missing_and_forbidden_are_the_same_404(pk):
    other = Organization.objects.get(name="天津市大数据协会")
    lookup = {"missing": 10**9, "forbidden": other.pk}[pk]
    with pytest.raises(Http404):
        scope.get_with_rights(user("liaison"), Organization, lookup)
    with pytest.raises(Http404):
        scope.get(user("liaison"), Organization.objects.all(), lookup)


def test_a_queryset_narrows_but_never_widens_the_rule():
    other = Organization.objects.get(name="天津市大数据协会")
    with pytest.raises(Http404):
        scope.get(user("liaison"), Organization.objects.filter(pk=other.pk), other.pk)


def test_a_second_rule_for_a_model_is_refused():
    with pytest.raises(ValueError):
        scope.register(Organization, lambda user, action: Organization.objects.none())


def test_instructors_one_definition():
    """Seen by the appointing federation, through a unit in scope, and by themself."""
    instructor = user("instructor")
    own = scope.own_instructor_ids(instructor)
    assert own and own <= set(scope.visible(Instructor, instructor).values_list("pk", flat=True))
    assert set(scope.visible(Instructor, user("outsider")).values_list("pk", flat=True)) == set()
    officer = set(scope.visible(Instructor, user("officer")).values_list("pk", flat=True))
    assert own <= officer
