"""Indexes that only cost every insert (the ledger import writes 10^5 members at a time):

* ``party_partymember.name``: the (name, id) index (``party_member_name_id``) serves every
  lookup and the roster's search by a name's beginning (``party.filters.name_begins_with``);
* ``party_employment.organization_id``, ``party_relationperiod.member_id`` and
  ``party_relationperiod.party_organization_id``: each the first column of a (…, valid_from)
  index of its table;
* on PostgreSQL, the ``varchar_pattern_ops`` copies (``…_like``) Django adds beside an indexed
  text column: the name's, and the blind indexes' (``id_number_hash``, ``id_suffix_hash``: keyed
  hashes, only ever compared whole).

Only the indexes go: the state changes by ``AlterField`` (``db_index=False``), the database by
``DROP INDEX`` — Django would rebuild each whole table on SQLite to alter a field.
"""

import django.db.models.deletion
from django.db import migrations, models

from dangjian.core import indexes

# (table, column): the single-column index Django named for it (the same name on both databases).
DROPPED = {
    "party_partymember_name_2c085215": ("party_partymember", "name"),
    "party_employment_organization_id_8f402908": ("party_employment", "organization_id"),
    "party_relationperiod_member_id_aa157201": ("party_relationperiod", "member_id"),
    "party_relationperiod_party_organization_id_b579b1b9": (
        "party_relationperiod",
        "party_organization_id",
    ),
}
# PostgreSQL only: the pattern-matching copies of text indexes.
DROPPED_LIKE = {
    "party_partymember_name_2c085215_like": ("party_partymember", "name"),
    "party_partymember_id_number_hash_8d5dc6f4_like": ("party_partymember", "id_number_hash"),
    "party_partymember_id_suffix_hash_47fa18fa_like": ("party_partymember", "id_suffix_hash"),
}


class Migration(migrations.Migration):
    dependencies = [
        ("party", "0011_list_indexes"),
        ("registry", "0003_authority_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="employment",
                    name="organization",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="employments",
                        to="registry.organization",
                        verbose_name="employer",
                    ),
                ),
                migrations.AlterField(
                    model_name="partymember",
                    name="name",
                    field=models.CharField(max_length=50, verbose_name="full name"),
                ),
                migrations.AlterField(
                    model_name="relationperiod",
                    name="member",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="relation_periods",
                        to="party.partymember",
                        verbose_name="party member",
                    ),
                ),
                migrations.AlterField(
                    model_name="relationperiod",
                    name="party_organization",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="relation_periods",
                        to="party.partyorganization",
                        verbose_name="party organization",
                    ),
                ),
            ],
            database_operations=[indexes.dropped(DROPPED, DROPPED_LIKE)],
        ),
    ]
