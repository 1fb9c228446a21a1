# The meeting counts become one row per (party organization, kind, year) with the months held
# as bits: the organizational-life rule reads a fifth of the rows (issue 15, like for like).

from django.db import migrations, models


def _month(connection) -> str:
    """``rulebook.periods.sql_month_index('held_on')`` as of this migration."""
    if connection.vendor == "sqlite":
        return "(CAST(substr(held_on, 1, 4) AS INTEGER) * 12 + CAST(substr(held_on, 6, 2) AS INTEGER) - 1)"
    return (
        "(CAST(date_part('year', held_on) AS INTEGER) * 12 "
        "+ CAST(date_part('month', held_on) AS INTEGER) - 1)"
    )


def empty(apps, schema_editor):
    """Emptied first, so that SQLite's rebuilds of the table below copy no rows."""
    schema_editor.execute("DELETE FROM orglife_meetingcount")


def count_months(apps, schema_editor):
    """Reversed: the monthly rows again (as migration 0005 made them)."""
    month = _month(schema_editor.connection)
    schema_editor.execute(
        "INSERT INTO orglife_meetingcount (party_organization_id, kind, month, held) "
        f"SELECT party_organization_id, kind, {month}, COUNT(*) FROM orglife_meeting "
        f"WHERE counts GROUP BY party_organization_id, kind, {month}"
    )


def count_years(apps, schema_editor):
    """The yearly rows of the meetings recorded (as ``period_counts.grouped`` counts them): one
    INSERT … SELECT, the meetings grouped by month, then by year."""
    month = _month(schema_editor.connection)
    schema_editor.execute(
        "INSERT INTO orglife_meetingcount (party_organization_id, kind, year, months, held) "
        "SELECT po, kind, month / 12, CAST(SUM(1 << (month - month / 12 * 12)) AS INTEGER), "
        "CAST(SUM(n) AS INTEGER) FROM ("
        f"SELECT party_organization_id AS po, kind, {month} AS month, COUNT(*) AS n "
        "FROM orglife_meeting WHERE counts GROUP BY party_organization_id, kind, month"
        ") g GROUP BY po, kind, month / 12"
    )


class Migration(migrations.Migration):

    dependencies = [
        ("orglife", "0010_minute_bands"),
    ]

    operations = [
        migrations.RunPython(empty, count_months),
        migrations.RemoveConstraint(
            model_name="meetingcount",
            name="orglife_count_unique",
        ),
        migrations.RemoveField(
            model_name="meetingcount",
            name="month",
        ),
        migrations.AddField(
            model_name="meetingcount",
            name="year",
            field=models.IntegerField(default=0, verbose_name="year"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="meetingcount",
            name="months",
            field=models.PositiveIntegerField(default=0, verbose_name="months held"),
            preserve_default=False,
        ),
        migrations.AlterModelOptions(
            name="meetingcount",
            options={
                "verbose_name": "meetings in a year",
                "verbose_name_plural": "meetings in a year",
            },
        ),
        migrations.AddConstraint(
            model_name="meetingcount",
            constraint=models.UniqueConstraint(
                fields=("party_organization", "kind", "year"), name="orglife_count_year_unique"
            ),
        ),
        migrations.RunPython(count_years, empty),
    ]
