"""Today's undated values become the first dated records of their history.

Terms: a party organization's recorded current term (term_started_on, term_years) becomes one
election — a founding election when it began on the founding day, a general election
otherwise. Where the length was not recorded, the rulebook's national lengths at the time of
this migration are used (基层党委 5 years, others 3; 关于党的基层组织任期的意见, 2018): the 换届
rule judged every term by those lengths until now. An organization with no term recorded gets
no election (none is invented): term_in_force counts its first term from the founding, as the
rule did.

组织关系: each member's current relation becomes one open period. Its start is unknown; it is
taken as the earliest day it can have held — the day the member joined the party, or the
party organization's founding if later. Every as-of read returned the current relation for any
past day until now, so this keeps the answers for every day the organization existed; the
member ledger's dated relation column corrects the start where it is known.
"""

from django.db import migrations

BATCH = 2000


def forwards(apps, schema_editor):
    PartyOrganization = apps.get_model("party", "PartyOrganization")
    Election = apps.get_model("party", "Election")
    PartyMember = apps.get_model("party", "PartyMember")
    RelationPeriod = apps.get_model("party", "RelationPeriod")

    # Idempotent (a migration reversed and applied again): what is recorded already stays.
    recorded = set(Election.objects.values_list("party_organization_id", "held_on"))
    elections = []
    for pk, kind, founded, started, years in PartyOrganization.objects.filter(
        term_started_on__isnull=False
    ).values_list("pk", "kind", "valid_from", "term_started_on", "term_years"):
        if (pk, started) in recorded:
            continue
        elections.append(
            Election(
                party_organization_id=pk,
                held_on=started,
                kind="founding" if started == founded else "general",
                term_years=years or (5 if kind == "committee" else 3),
            )
        )
    Election.objects.bulk_create(elections, batch_size=BATCH)

    founded_on = dict(PartyOrganization.objects.values_list("pk", "valid_from"))
    periods = []
    with_history = RelationPeriod.objects.values("member_id")
    members = (
        PartyMember.objects.exclude(relation_party_organization__isnull=True, relation_external="")
        .exclude(pk__in=with_history)
        .order_by("pk")
        .values_list("pk", "joined_party_on", "relation_party_organization_id", "relation_external")
    )
    for pk, joined, party_org, external in members.iterator(chunk_size=BATCH):
        start = max(joined, founded_on[party_org]) if party_org else joined
        periods.append(
            RelationPeriod(
                member_id=pk,
                party_organization_id=party_org,
                external="" if party_org else external,
                valid_from=start,
            )
        )
        if len(periods) >= BATCH:
            RelationPeriod.objects.bulk_create(periods)
            periods = []
    RelationPeriod.objects.bulk_create(periods)


def backwards(apps, schema_editor):
    """The current term goes back to the two fields (0006 reversed restores them first)."""
    PartyOrganization = apps.get_model("party", "PartyOrganization")
    Election = apps.get_model("party", "Election")
    latest = {}
    for e in Election.objects.filter(kind__in=["founding", "general"]).order_by("held_on"):
        latest[e.party_organization_id] = e
    for pk, e in latest.items():
        PartyOrganization.objects.filter(pk=pk).update(
            term_started_on=e.held_on, term_years=e.term_years
        )


class Migration(migrations.Migration):
    dependencies = [
        ("party", "0004_election_termextension_relationperiod"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
