from django.db import migrations, models
import django.db.models.deletion


def drop_triggers(apps, schema_editor):
    """The journal's triggers go and are installed anew after ``migrate``
    (``rules.coverage_triggers.install_triggers``; SQLite's are created only where missing):
    the new ones also name the party organizations whose count may have moved."""
    from dangjian.rules.coverage_triggers import drop_triggers

    drop_triggers(schema_editor.connection)


def forget_kept_figures(apps, schema_editor):
    """Kept figures are a cache: every day is counted again, with its party organizations'
    counts. (Last: on PostgreSQL the deleted parts' deferred foreign-key checks would forbid
    altering the table afterwards in the same transaction.)"""
    apps.get_model("rules", "CoverageDay").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("rules", "0015_coverage_unit_details"),
    ]

    operations = [
        migrations.RunPython(drop_triggers, migrations.RunPython.noop),
        migrations.AddField(
            model_name="coveragechange",
            name="party_organization_id",
            field=models.IntegerField(blank=True, null=True, verbose_name="party organization"),
        ),
        migrations.AddField(
            model_name="coverageday",
            name="count_by",
            field=models.CharField(
                blank=True, max_length=24, verbose_name="branch members counted by"
            ),
        ),
        migrations.CreateModel(
            name="CoverageBranch",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("party_organization_id", models.IntegerField(verbose_name="party organization")),
                (
                    "full_members",
                    models.PositiveIntegerField(default=0, verbose_name="full members"),
                ),
                (
                    "figures",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="rules.coverageday",
                    ),
                ),
            ],
            options={
                "verbose_name": "party organization in kept coverage figures",
                "verbose_name_plural": "party organizations in kept coverage figures",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("figures", "party_organization_id"),
                        name="rules_coverage_branch_unique",
                    )
                ],
            },
        ),
        migrations.RunPython(forget_kept_figures, migrations.RunPython.noop),
    ]
