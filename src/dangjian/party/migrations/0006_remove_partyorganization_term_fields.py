"""The current term's two fields go: the election history (0005 moved them there) is the one
record of terms, read through party.term_queries.term_in_force."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("party", "0005_history_from_current_values"),
    ]

    operations = [
        migrations.RemoveField(model_name="partyorganization", name="term_started_on"),
        migrations.RemoveField(model_name="partyorganization", name="term_years"),
    ]
