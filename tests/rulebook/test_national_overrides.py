"""National parameters are refused when read, not only by set_override: an override saved
around the service (admin, ORM) is ignored by every reader and reported."""

import datetime

import pytest
from django.core.checks.registry import registry
from django.urls import reverse

from dangjian.rulebook import deadlines, loader, params
from dangjian.rulebook.checks import national_overrides
from dangjian.rulebook.models import RuleOverride
from dangjian.rules.engine import Engine

D = datetime.date
RULE = "credit.abnormal_list_proposal"


@pytest.fixture
def national_override(demo_federation):
    # Saved straight through the ORM, as the admin would: set_override would refuse it.
    return RuleOverride.objects.create(
        federation=demo_federation,
        rule_id=RULE,
        parameters={"report_due_to_registrar": "06-30"},
        valid_from=D(2020, 1, 1),
    )


@pytest.mark.django_db
def test_an_override_of_a_national_parameter_is_not_applied(demo_federation, national_override):
    day = D(2026, 1, 1)
    assert params.value(RULE, "report_due_to_registrar", day=day, federation=demo_federation) == (
        "05-31"
    )
    assert deadlines.registrar_deadline(2025) == D(2026, 5, 31)
    engine = Engine(demo_federation, day)
    assert engine.params_for(RULE, [demo_federation.pk])["report_due_to_registrar"] == "05-31"
    assert loader.overrides_for([demo_federation], RULE, day)[demo_federation.pk] == {}


@pytest.mark.django_db
def test_the_other_parameters_of_the_same_override_still_apply(demo_federation):
    rule = "dormancy.dormant_society"
    book = loader.load()
    name = next(k for k in book.latest(rule).parameters if k not in book.national(rule))
    value = book.latest(rule).parameters[name]
    RuleOverride.objects.create(
        federation=demo_federation,
        rule_id=rule,
        parameters={name: value + 1},
        valid_from=D(2020, 1, 1),
    )
    assert params.value(rule, name, day=D(2026, 1, 1), federation=demo_federation) == value + 1


@pytest.mark.django_db
def test_the_ignored_override_is_reported(demo_federation, national_override):
    assert loader.refused(national_override) == ["report_due_to_registrar"]
    warnings = [m for m in national_overrides() if m.obj == national_override]
    assert len(warnings) == 1
    assert warnings[0].id == "rulebook.W001"
    assert "report_due_to_registrar" in warnings[0].msg
    assert "全国统一" in warnings[0].msg
    # Registered, so `dangjian check` runs it.
    assert national_overrides in registry.registered_checks


@pytest.mark.django_db
def test_the_admin_list_flags_the_ignored_parameter(persona_client, national_override):
    response = persona_client("admin").get(reverse("admin:rulebook_ruleoverride_changelist"))
    assert response.status_code == 200
    assert "report_due_to_registrar" in response.content.decode()
