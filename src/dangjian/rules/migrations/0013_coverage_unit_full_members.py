from django.db import migrations, models


def forget_kept_figures(apps, schema_editor):
    """Kept figures are a cache (any row may go at any time): parts kept before the new
    columns would read as units with no full member, so every kept day is counted again."""
    apps.get_model("rules", "CoverageDay").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("rules", "0012_finding_digest_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="coverageunit",
            name="federation_id",
            field=models.IntegerField(blank=True, null=True, verbose_name="federation"),
        ),
        migrations.AddField(
            model_name="coverageunit",
            name="full_members",
            field=models.PositiveIntegerField(default=0, verbose_name="full members employed"),
        ),
        migrations.RunPython(forget_kept_figures, migrations.RunPython.noop),
    ]
