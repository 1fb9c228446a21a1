# The RuleOverride model moved here from the rules app. Its table (rules_ruleoverride) stays:
# the model enters this app's state only, and its content type is relabelled so permissions
# and admin history that point at it carry over.

import django.db.models.deletion
from django.db import migrations, models


def relabel_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="rulebook", model="ruleoverride").exists():
        ContentType.objects.filter(app_label="rules", model="ruleoverride").update(
            app_label="rulebook"
        )


def label_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="rules", model="ruleoverride").exists():
        ContentType.objects.filter(app_label="rulebook", model="ruleoverride").update(
            app_label="rules"
        )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("registry", "0001_initial"),
        # The table is created by the rules app's first migration.
        ("rules", "0003_rulestate"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="RuleOverride",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="created at"),
                        ),
                        (
                            "updated_at",
                            models.DateTimeField(auto_now=True, verbose_name="updated at"),
                        ),
                        (
                            "rule_id",
                            models.CharField(db_index=True, max_length=64, verbose_name="rule"),
                        ),
                        ("parameters", models.JSONField(default=dict, verbose_name="parameters")),
                        ("valid_from", models.DateField(verbose_name="valid from")),
                        ("note", models.CharField(blank=True, max_length=200, verbose_name="note")),
                        (
                            "federation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="rule_overrides",
                                to="registry.federation",
                                verbose_name="federation",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "rule parameter override",
                        "verbose_name_plural": "rule parameter overrides",
                        "db_table": "rules_ruleoverride",
                        "ordering": ["federation_id", "rule_id", "-valid_from"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("federation", "rule_id", "valid_from"),
                                name="rules_override_unique",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(relabel_content_type, label_back),
    ]
