"""Indexes that only cost a run's writes (a whole run creates tens of thousands of findings,
each with its first observation):

* ``rules_finding``: ``rule_id``, ``federation_id``, ``organization_id`` and
  ``party_organization_id`` alone — each the first column of an index of the table (the
  (rule, subject, period) key, the worklist's and the digest's; (federation, status, rule),
  (organization, status), (party organization, status)), which serves every lookup, join and
  cascade on it; on PostgreSQL also the ``varchar_pattern_ops`` copy of ``rule_id`` (rule ids
  are only compared whole);
* ``rules_findingobservation.finding_id`` (the (finding, as_of) key) and
  ``rules_findingstatuschange.finding_id`` (the (finding, at) index).

Only the indexes go: the state changes by ``AlterField`` (``db_index=False``), the database by
``DROP INDEX`` — Django would rebuild each whole table on SQLite to alter a field.
"""

import django.db.models.deletion
from django.db import migrations, models

from dangjian.core import indexes

# The single-column index Django named for each (the same name on both databases).
DROPPED = {
    "rules_finding_rule_id_5cbd7462": ("rules_finding", "rule_id"),
    "rules_finding_federation_id_120bbab3": ("rules_finding", "federation_id"),
    "rules_finding_organization_id_bfb5c9cd": ("rules_finding", "organization_id"),
    "rules_finding_party_organization_id_43a90e74": ("rules_finding", "party_organization_id"),
    "rules_findingobservation_finding_id_29840b4a": ("rules_findingobservation", "finding_id"),
    "rules_findingstatuschange_finding_id_2e650a35": ("rules_findingstatuschange", "finding_id"),
}
# PostgreSQL only: the pattern-matching copy of the text index.
DROPPED_LIKE = {"rules_finding_rule_id_5cbd7462_like": ("rules_finding", "rule_id")}


class Migration(migrations.Migration):
    dependencies = [
        ("party", "0014_roster_probationary_index"),
        ("registry", "0003_authority_indexes"),
        ("rules", "0013_coverage_unit_full_members"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="finding",
                    name="federation",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="findings",
                        to="registry.federation",
                        verbose_name="federation",
                    ),
                ),
                migrations.AlterField(
                    model_name="finding",
                    name="organization",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="findings",
                        to="registry.organization",
                        verbose_name="organization",
                    ),
                ),
                migrations.AlterField(
                    model_name="finding",
                    name="party_organization",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="findings",
                        to="party.partyorganization",
                        verbose_name="party organization",
                    ),
                ),
                migrations.AlterField(
                    model_name="finding",
                    name="rule_id",
                    field=models.CharField(max_length=64, verbose_name="rule"),
                ),
                migrations.AlterField(
                    model_name="findingobservation",
                    name="finding",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="observations",
                        to="rules.finding",
                        verbose_name="finding",
                    ),
                ),
                migrations.AlterField(
                    model_name="findingstatuschange",
                    name="finding",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="status_changes",
                        to="rules.finding",
                        verbose_name="finding",
                    ),
                ),
            ],
            database_operations=[indexes.dropped(DROPPED, DROPPED_LIKE)],
        ),
    ]
