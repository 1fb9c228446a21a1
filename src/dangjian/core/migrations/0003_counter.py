from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_touch"),
    ]

    operations = [
        migrations.CreateModel(
            name="Counter",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("register", models.CharField(max_length=100, verbose_name="register")),
                ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                ("last", models.PositiveIntegerField(default=0, verbose_name="last number taken")),
            ],
            options={
                "verbose_name": "number counter",
                "verbose_name_plural": "number counters",
                "constraints": [
                    models.UniqueConstraint(fields=("register", "year"), name="core_one_counter_per_year")
                ],
            },
        ),
    ]
