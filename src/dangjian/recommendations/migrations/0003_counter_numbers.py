"""The letter register's counters move to the one numbering helper (core.Counter, register
``recommendations.letter:<federation id>``), so every numbered register shares one home; the
numbers already taken are carried over, so the next letter continues the year's series."""

from django.db import migrations


def to_core(apps, schema_editor):
    LetterCounter = apps.get_model("recommendations", "LetterCounter")
    Counter = apps.get_model("core", "Counter")
    for row in LetterCounter.objects.all():
        Counter.objects.update_or_create(
            register=f"recommendations.letter:{row.federation_id}",
            year=row.year,
            defaults={"last": row.last_serial},
        )


def from_core(apps, schema_editor):
    LetterCounter = apps.get_model("recommendations", "LetterCounter")
    Counter = apps.get_model("core", "Counter")
    prefix = "recommendations.letter:"
    for row in Counter.objects.filter(register__startswith=prefix):
        LetterCounter.objects.update_or_create(
            federation_id=int(row.register[len(prefix):]),
            year=row.year,
            defaults={"last_serial": row.last},
        )


class Migration(migrations.Migration):

    dependencies = [
        ("recommendations", "0002_encrypt_contact_note"),
        ("core", "0003_counter"),
    ]

    operations = [
        migrations.RunPython(to_core, from_core),
        migrations.DeleteModel(name="LetterCounter"),
    ]
