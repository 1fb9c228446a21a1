"""The kept pairs of alike minutes (``orglife.MinutePair``) and the lengths they are complete
for (``MinutePairing``): empty here — ``dangjian sign_minutes`` (nightly) builds them once
after the upgrade (``services.pairs.rebuild``); the near-duplicate rule pairs the signatures
itself until then, with the same findings."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('orglife', '0013_meeting_minutes_digest'),
    ]

    operations = [
        migrations.CreateModel(
            name='MinutePairing',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('k', models.PositiveSmallIntegerField(unique=True)),
                ('floor', models.FloatField()),
                ('min_chars', models.PositiveIntegerField()),
                ('built_at', models.DateTimeField()),
            ],
        ),
        migrations.CreateModel(
            name='MinutePair',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('k', models.PositiveSmallIntegerField()),
                ('agreement', models.PositiveSmallIntegerField()),
                ('similarity', models.FloatField()),
                ('first', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='orglife.meeting')),
                ('second', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='orglife.meeting')),
            ],
        ),
    ]
