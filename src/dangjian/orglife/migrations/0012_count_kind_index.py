# The meeting counts in an index holding every column the organizational-life rule reads
# (issue 15, like for like): one kind's rows scanned without the table.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orglife", "0011_count_years"),
        ("party", "0014_roster_probationary_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="meetingcount",
            index=models.Index(
                fields=["kind", "party_organization", "year", "months"],
                name="orglife_count_kind_org",
            ),
        ),
    ]
