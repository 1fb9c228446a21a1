# The party members' invitation generalised to every role (issue 16): renamed, with the role and
# its scope; existing invitations keep their member and get the party member role.

import django.db.models.deletion
from django.db import migrations, models

ROLES = [
    ("admin", "system administrator"),
    ("federation_officer", "federation / party committee officer"),
    ("unit_liaison", "member-unit liaison"),
    ("branch_secretary", "party organization secretary"),
    ("instructor", "party-building instructor"),
    ("authority_viewer", "supervising department / registration authority"),
    ("expert_reviewer", "expert reviewer"),
    ("auditor", "audit administrator"),
    ("party_member", "party member"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0005_party_member_role_and_invitations"),
        ("party", "0006_remove_partyorganization_term_fields"),
        ("registry", "0002_encrypt_contact_phone"),
    ]

    operations = [
        migrations.RenameModel("MemberInvitation", "RoleInvitation"),
        migrations.AlterModelOptions(
            name="roleinvitation",
            options={
                "ordering": ["-created_at"],
                "verbose_name": "sign-in invitation",
                "verbose_name_plural": "sign-in invitations",
            },
        ),
        migrations.AddField(
            model_name="roleinvitation",
            name="name",
            field=models.CharField(blank=True, max_length=150, verbose_name="name"),
        ),
        migrations.AddField(
            model_name="roleinvitation",
            name="role",
            field=models.CharField(
                choices=ROLES, default="party_member", max_length=20, verbose_name="role"
            ),
        ),
        migrations.AddField(
            model_name="roleinvitation",
            name="authority_name",
            field=models.CharField(blank=True, max_length=200, verbose_name="authority name"),
        ),
        migrations.AddField(
            model_name="roleinvitation",
            name="federation",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="registry.federation",
                verbose_name="federation",
            ),
        ),
        migrations.AddField(
            model_name="roleinvitation",
            name="organization",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="registry.organization",
                verbose_name="organization",
            ),
        ),
        migrations.AddField(
            model_name="roleinvitation",
            name="party_organization",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="party.partyorganization",
                verbose_name="party organization",
            ),
        ),
        migrations.AddField(
            model_name="roleinvitation",
            name="instructor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="party.instructor",
                verbose_name="instructor",
            ),
        ),
        migrations.AlterField(
            model_name="roleinvitation",
            name="member",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="party.partymember",
                verbose_name="party member",
            ),
        ),
    ]
