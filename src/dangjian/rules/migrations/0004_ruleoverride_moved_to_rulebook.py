# RuleOverride moved to the rulebook app (configuration every layer reads). Only the state
# changes: the table stays and the rulebook app's model keeps using it (db_table).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("rules", "0003_rulestate"),
        ("rulebook", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="RuleOverride")],
            database_operations=[],
        ),
    ]
