"""core.concurrency.claim: one optimistic lock, the version required, one Conflict."""

import pytest
from django.db import transaction
from django.utils import translation

from dangjian.core import audit
from dangjian.core.concurrency import claim
from dangjian.core.errors import Conflict, WorkflowError
from dangjian.rules.models import Finding

pytestmark = pytest.mark.django_db


def test_the_right_version_is_claimed_and_bumped():
    finding = Finding.objects.first()
    with transaction.atomic():
        locked = claim(Finding, finding.pk, finding.version, explanation="changed in the UPDATE")
    assert locked.version == finding.version + 1
    assert locked.explanation == "changed in the UPDATE"
    assert Finding.objects.get(pk=finding.pk).version == finding.version + 1


def test_a_queryset_limits_what_may_be_claimed():
    finding = Finding.objects.first()
    with pytest.raises(Conflict):
        claim(Finding.objects.exclude(pk=finding.pk), finding.pk, finding.version)


@pytest.mark.parametrize("stale", [None, "", "x", -1])
def test_a_missing_or_stale_version_is_a_conflict_never_a_silent_write(stale):
    finding = Finding.objects.first()
    version = finding.version if stale == -1 else stale
    if stale == -1:
        version = finding.version - 1
    with pytest.raises(Conflict) as caught:
        claim(Finding, finding.pk, version)
    assert isinstance(caught.value, WorkflowError)
    assert Finding.objects.get(pk=finding.pk).version == finding.version


def test_the_conflict_names_who_changed_the_record(django_user_model):
    finding = Finding.objects.first()
    someone = django_user_model.objects.create(username="colleague")
    audit.record_event(someone, audit.AuditEvent.FINDING_ACKNOWLEDGED, finding)
    with translation.override("zh-hans"), pytest.raises(Conflict) as caught:
        claim(Finding, finding.pk, finding.version + 3)
    assert "冲突" in str(caught.value) and "colleague" in str(caught.value)


def test_the_apps_raise_the_one_conflict():
    from dangjian.inspections import services as inspections
    from dangjian.recommendations import services as recommendations
    from dangjian.rules import services as rules

    assert rules.EditConflict is inspections.EditConflict is recommendations.LetterConflict
    assert rules.EditConflict is Conflict
