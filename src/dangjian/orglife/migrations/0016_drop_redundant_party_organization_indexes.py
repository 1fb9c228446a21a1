"""Two single-column indexes on ``party_organization_id`` that another index of the same table
begins with, and that only cost the writes of meetings (10^5 a ledger import) and of their
yearly counts: ``orglife_meeting``'s (the (party organization, day, …) covering index serves
every lookup, join and cascade; 52 MB at 7.8 million meetings) and
``orglife_meetingcount``'s (its (party organization, kind, year) key). See ``core.indexes``.
"""

import django.db.models.deletion
from django.db import migrations, models

from dangjian.core import indexes

# The single-column index Django named for each (the same name on both databases).
DROPPED = {
    "orglife_meeting_party_organization_id_e754655a": (
        "orglife_meeting",
        "party_organization_id",
    ),
    "orglife_meetingcount_party_organization_id_621c8366": (
        "orglife_meetingcount",
        "party_organization_id",
    ),
}


class Migration(migrations.Migration):
    dependencies = [
        ("orglife", "0015_meeting_window_index"),
        ("party", "0014_roster_probationary_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="meeting",
                    name="party_organization",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="meetings",
                        to="party.partyorganization",
                        verbose_name="party organization",
                    ),
                ),
                migrations.AlterField(
                    model_name="meetingcount",
                    name="party_organization",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="party.partyorganization",
                        verbose_name="party organization",
                    ),
                ),
            ],
            database_operations=[indexes.dropped(DROPPED, {})],
        )
    ]
