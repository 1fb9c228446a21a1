"""``dangjian shared_id_numbers`` — recompute which ledger entries share their ID number with
another (``PartyMember.id_number_shared``, read by the duplicates page) and report how many
flags changed: zero when every writer kept them (a flag left by a twin since renumbered or
deleted is cleared here too)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from dangjian.party.bulk import mark_shared_id_numbers


class Command(BaseCommand):
    help = "Recompute the flags of ID numbers held by more than one ledger entry."
    requires_system_checks: list[str] = []

    def handle(self, *args, **options):
        changed = mark_shared_id_numbers()
        self.stdout.write(_("%(n)d flags of shared ID numbers changed.") % {"n": changed})
