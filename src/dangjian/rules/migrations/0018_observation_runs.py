"""A finding's observations become runs of days (``FindingObservation.until``): the rows kept
so far are runs of one day each (``until`` = ``as_of``). The (as_of, finding) index goes: every
read is now by finding, which the unique (finding, as_of) key serves."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("rules", "0017_drop_status_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="findingobservation",
            name="rules_findi_as_of_aa908d_idx",
        ),
        migrations.AddField(
            model_name="findingobservation",
            name="until",
            field=models.DateField(null=True, verbose_name="until"),
        ),
        migrations.RunSQL(
            "UPDATE rules_findingobservation SET until = as_of",
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.AlterField(
            model_name="findingobservation",
            name="until",
            field=models.DateField(verbose_name="until"),
        ),
        migrations.AlterField(
            model_name="findingobservation",
            name="as_of",
            field=models.DateField(verbose_name="from"),
        ),
    ]
