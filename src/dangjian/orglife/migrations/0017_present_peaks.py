# Each party organization's most present at one meeting per year, kept beside the meeting
# counts: the impossible-attendance rule reads it instead of every meeting of its window
# (issue 15).

import django.db.models.deletion
from django.db import migrations, models


def _year(connection) -> str:
    """``rulebook.periods.sql_month_index('held_on') / 12`` as of this migration."""
    if connection.vendor == "sqlite":
        return "CAST(substr(held_on, 1, 4) AS INTEGER)"
    return "CAST(date_part('year', held_on) AS INTEGER)"


def fill(apps, schema_editor):
    """The rows of the meetings recorded, as ``period_counts.peaks`` computes them."""
    year = _year(schema_editor.connection)
    schema_editor.execute(
        "INSERT INTO orglife_presentpeak (party_organization_id, year, most) "
        f"SELECT party_organization_id, {year}, MAX(present_count) FROM orglife_meeting "
        "WHERE status = 'held' AND kind NOT IN ('heart_to_heart', 'other') "
        f"AND present_count > 0 GROUP BY party_organization_id, {year}"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("orglife", "0016_drop_redundant_party_organization_indexes"),
        ("party", "0014_roster_probationary_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="PresentPeak",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.IntegerField(verbose_name="year")),
                ("most", models.PositiveIntegerField(verbose_name="most present")),
                (
                    "party_organization",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="party.partyorganization",
                        verbose_name="party organization",
                    ),
                ),
            ],
            options={
                "verbose_name": "most present in a year",
                "verbose_name_plural": "most present in a year",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("party_organization", "year"), name="orglife_peak_year_unique"
                    )
                ],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
