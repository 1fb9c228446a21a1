"""A small world of its own for the ledger tests: one federation, two units, one branch, one
officer; plus helpers that make valid credit codes and ID numbers."""

import datetime
import random

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from stdnum.cn import ric, uscc

from dangjian.access.models import RoleAssignment, UserSecurity
from dangjian.party.models import Coverage, PartyOrganization
from dangjian.registry.models import Federation, Membership, Organization

IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def make_uscc(n: int, dept_type: str = "51") -> str:
    body = f"{dept_type}120000MJ{n:07d}"
    body = body.replace("I", "1").replace("O", "0")[:17]
    return body + uscc.calc_check_digit(body)


def make_id(n: int, birth: datetime.date = datetime.date(1990, 3, 7), area="110105") -> str:
    body = f"{area}{birth:%Y%m%d}{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    fed = Federation.objects.create(
        name="测试网络社会组织联合会", short_name="测网联", level="city"
    )
    units = []
    for i, name in enumerate(["测试甲协会", "测试乙商会"], start=1):
        org = Organization.objects.create(
            name=name, uscc=make_uscc(i), legal_form="social_group", category="association"
        )
        Membership.objects.create(
            federation=fed, organization=org, valid_from=datetime.date(2020, 1, 1)
        )
        units.append(org)
    branch = PartyOrganization.objects.create(
        name="测试甲协会党支部", kind="branch", federation=fed, valid_from=datetime.date(2020, 6, 1)
    )
    Coverage.objects.create(
        party_organization=branch, organization=units[0], valid_from=datetime.date(2020, 6, 1)
    )
    user = get_user_model().objects.create_user("ledger-officer", password="x-Secret-12345")
    # New accounts must change their password first (access); this one already has.
    UserSecurity.objects.update_or_create(user=user, defaults={"must_change_password": False})
    RoleAssignment.objects.create(
        user=user, role="federation_officer", federation=fed, valid_from=datetime.date(2020, 1, 1)
    )
    client = Client()
    client.force_login(user)
    with override_settings(TASKS=IMMEDIATE_TASKS):
        yield type(
            "World",
            (),
            {
                "federation": fed,
                "units": units,
                "branch": branch,
                "user": user,
                "client": client,
                "rng": random.Random(5),
            },
        )
