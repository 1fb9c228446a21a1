"""Two more indexes of ``rules_finding`` that only cost a run's writes (see 0014): the
``status`` alone (on PostgreSQL with its ``varchar_pattern_ops`` copy) — every read by status
goes with the federation, the subject or the rule, whose indexes of the Meta begin with them —
and ``status_changed_by`` (read only with its finding; an account deleted sets it to NULL with
one scan of the findings).

As in 0014, the state changes by ``AlterField`` and the database by ``DROP INDEX`` (Django
would rebuild the whole table on SQLite to alter a field).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from dangjian.core import indexes

# The single-column index Django named for each (the same name on both databases).
DROPPED = {
    "rules_finding_status_353020f1": ("rules_finding", "status"),
    "rules_finding_status_changed_by_id_9773adbb": ("rules_finding", "status_changed_by_id"),
}
# PostgreSQL only: the pattern-matching copy of the text index.
DROPPED_LIKE = {"rules_finding_status_353020f1_like": ("rules_finding", "status")}


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("rules", "0016_coverage_branch"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="finding",
                    name="status",
                    field=models.CharField(
                        choices=[
                            ("open", "open"),
                            ("acknowledged", "acknowledged"),
                            ("rectifying", "being rectified"),
                            ("resolved", "resolved"),
                            ("dismissed", "dismissed"),
                            ("past", "found in the past only"),
                        ],
                        default="open",
                        max_length=12,
                        verbose_name="status",
                    ),
                ),
                migrations.AlterField(
                    model_name="finding",
                    name="status_changed_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="status changed by",
                    ),
                ),
            ],
            database_operations=[indexes.dropped(DROPPED, DROPPED_LIKE)],
        )
    ]
