"""Formation moves relations (issue 13, point 3), hand-computed: approving a formation case moves
no relation; the case page offers the members employed in the covered unit whose 组织关系 is
held elsewhere in the system, and one step issues one transfer each. Of three employed members —
one held by another branch of the system, one already inside the new branch, one held outside
the system — only the first is offered; both branches' counts change on the acceptance day."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dangjian.applications import services as formation
from dangjian.party.models import Employment, PartyOrganization
from dangjian.party.queries import relation_counts, relation_on
from dangjian.party.services import move_relation
from dangjian.registry.models import Membership, Organization
from dangjian.transfers import queries, services
from dangjian.transfers.models import Transfer

D = datetime.date
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ESTABLISHED = D(2026, 3, 2)
OUTSIDE = "某市人才服务中心党委"


class Scenario:
    def __init__(self, world):
        self.world = world
        self.unit = Organization.objects.create(
            name=f"{world.fed_a.short_name}数字创作者协会",
            legal_form="social_group",
            category="association",
        )
        Membership.objects.create(
            federation=world.fed_a, organization=self.unit, valid_from=D(2020, 1, 1)
        )
        self.elsewhere = world.new_member("甲在别处", world.a1)  # held by another branch
        self.inside = world.new_member("乙已在内", world.a2)  # will be inside the new branch
        self.outside = world.new_member("丙在系统外", world.a2)
        move_relation(self.outside, to=OUTSIDE, on=D(2020, 1, 1), actor=None)
        for m in (self.elsewhere, self.inside, self.outside):
            Employment.objects.create(member=m, organization=self.unit, valid_from=D(2020, 1, 1))

    def approve(self):
        w = self.world
        case = formation.open_formation_case(
            w.fed_a,
            [self.unit],
            name=f"{self.unit.name}党支部",
            kind=PartyOrganization.Kind.BRANCH,
            mode=PartyOrganization.FormationMode.IN_MEMBER_UNIT,
            parent=w.committee_a,
            actor=w.officer_a,
        )
        case = formation.update_formation_case(
            case,
            {
                "established_on": ESTABLISHED,
                "approval_doc_no": "甲网党〔2026〕3号",
                "approval_date": ESTABLISHED,
                "secretary": self.elsewhere,
            },
            [self.unit],
            version=case.version,
            approval_upload=SimpleUploadedFile("批文.pdf", PDF, content_type="application/pdf"),
            actor=w.officer_a,
        )
        case = formation.submit_formation_case(case, version=case.version, actor=w.officer_a)
        self.branch = formation.approve_formation_case(
            case, version=case.version, actor=w.officer_a
        )
        case.refresh_from_db()
        self.case = case
        return self.branch


@pytest.fixture
def scenario(world):
    return Scenario(world)


def test_approval_moves_no_relation(scenario):
    branch = scenario.approve()
    assert relation_on(scenario.elsewhere, ESTABLISHED).party_organization == scenario.world.a1
    assert relation_on(scenario.inside, ESTABLISHED).party_organization == scenario.world.a2
    assert relation_on(scenario.outside, ESTABLISHED).external == OUTSIDE
    assert relation_counts([branch], ESTABLISHED) == {}
    assert not Transfer.objects.filter(to_party_organization=branch).exists()


def test_only_the_member_held_elsewhere_in_the_system_is_offered_and_transferred(scenario):
    w = scenario.world
    branch = scenario.approve()
    # On its first day both members held in the system are offered, the one outside is not.
    offered = queries.transfer_in_offer(branch, [scenario.unit], ESTABLISHED)
    assert set(offered) == {scenario.elsewhere, scenario.inside}
    # 乙 comes in first by a letter of the second branch, accepted on 3 March.
    first = services.issue_transfer(
        scenario.inside, to=branch, issued_on=ESTABLISHED, actor=w.officer_a
    )
    services.accept_transfer(first, version=first.version, on=D(2026, 3, 3), actor=w.officer_a)

    day = D(2026, 3, 5)
    assert list(queries.transfer_in_offer(branch, [scenario.unit], day)) == [scenario.elsewhere]
    # The one step, given all three: one transfer, for 甲 only.
    done = services.transfer_in_many(
        [scenario.outside, scenario.inside, scenario.elsewhere],
        to=branch,
        issued_on=day,
        reason="组建党支部",
        actor=w.officer_a,
    )
    assert [t.member for t in done] == [scenario.elsewhere]
    t = done[0]
    prefix = w.fed_a.letter_prefix
    assert (t.from_party_organization, t.to_party_organization, t.federation) == (
        w.a1,
        branch,
        w.fed_a,
    )
    assert (t.status, t.issued_on, t.valid_days, t.letter_no, t.reason) == (
        Transfer.Status.ISSUED,
        day,
        90,
        f"{prefix}组〔2026〕2号",  # 乙's letter was the first of the year
        "组建党支部",
    )
    # Offered no more while it awaits acceptance; a second step issues nothing.
    assert list(queries.transfer_in_offer(branch, [scenario.unit], day)) == []
    assert (
        services.transfer_in_many([scenario.elsewhere], to=branch, issued_on=day, actor=None) == []
    )

    # Until the acceptance the first branch keeps 甲 (and the member of the fixture).
    services.accept_transfer(t, version=t.version, on=D(2026, 3, 10), actor=w.officer_a)
    assert relation_counts([w.a1, branch], D(2026, 3, 9)) == {w.a1.pk: 2, branch.pk: 1}
    assert relation_counts([w.a1, branch], D(2026, 3, 10)) == {w.a1.pk: 1, branch.pk: 2}
    assert relation_on(scenario.outside, D(2026, 3, 10)).external == OUTSIDE


def test_a_date_before_the_branch_exists_is_refused_and_nothing_is_issued(scenario):
    branch = scenario.approve()
    with pytest.raises(Exception) as exc:
        services.transfer_in_many(
            [scenario.elsewhere], to=branch, issued_on=D(2026, 3, 1), actor=None
        )
    assert "该日期" in str(exc.value) or "不存在" in str(exc.value)
    assert not Transfer.objects.filter(to_party_organization=branch).exists()


def test_the_case_page_offers_them_and_one_button_transfers_them_in(scenario):
    w = scenario.world
    branch = scenario.approve()
    client = w.client(w.officer_a)
    url = reverse("applications:formation_detail", args=[scenario.case.pk])
    html = client.get(url).content.decode()
    assert 'id="transfer-in"' in html and "转入组织关系" in html
    assert "甲在别处" in html and "乙已在内" in html and "丙在系统外" not in html
    response = client.post(
        reverse("applications:formation_transfer_in", args=[scenario.case.pk]),
        {"member": [scenario.elsewhere.pk, scenario.outside.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "1" in page and "转接" in page
    issued = Transfer.objects.filter(to_party_organization=branch)
    assert [t.member for t in issued] == [scenario.elsewhere]
    assert issued[0].status == Transfer.Status.ISSUED
    # 乙 is still offered, 甲 no longer.
    html = client.get(url).content.decode()
    assert f'value="{scenario.inside.pk}"' in html
    assert f'value="{scenario.elsewhere.pk}"' not in html
    # Nothing ticked: told so, nothing issued.
    response = client.post(
        reverse("applications:formation_transfer_in", args=[scenario.case.pk]), {}, follow=True
    )
    assert "至少勾选" in response.content.decode()
    assert issued.count() == 1


def test_who_does_not_keep_the_new_branch_is_not_offered(scenario):
    w = scenario.world
    scenario.approve()
    client = w.client(w.secretary_a2)
    response = client.post(
        reverse("applications:formation_transfer_in", args=[scenario.case.pk]),
        {"member": [scenario.inside.pk]},
    )
    assert response.status_code == 404
    assert not Transfer.objects.filter(member=scenario.inside).exists()
