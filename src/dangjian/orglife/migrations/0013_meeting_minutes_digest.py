"""The minutes' digest (``similarity.digests``) beside their signature: nullable, so that the
column is added without rewriting the meetings (10^7 rows at the largest size), and the index
of the signatures still without one. Those signed before this migration get theirs from
``dangjian sign_minutes`` (run nightly); the near-duplicate rule reads their signatures
meanwhile, with the same findings."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('orglife', '0012_count_kind_index'),
        ('party', '0014_roster_probationary_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='meeting',
            name='minutes_digest',
            field=models.BinaryField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name='meeting',
            index=models.Index(condition=models.Q(('minutes_digest__isnull', True), models.Q(('minutes_signature', b''), _negated=True)), fields=['id'], name='orglife_meeting_undigested'),
        ),
    ]
