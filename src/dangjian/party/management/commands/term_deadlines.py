"""``dangjian term_deadlines`` — recompute each party organization's kept term deadline
(``PartyOrganization.term_deadline``, read by the count of terms to renew) from its elections
and extensions and report how many changed: zero when every writer kept them (non-zero means an
election or extension was written outside ``party.services``)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from dangjian.party.services import keep_term_deadlines


class Command(BaseCommand):
    help = "Recompute the kept term deadlines of the party organizations and report any drift."
    requires_system_checks: list[str] = []

    def handle(self, *args, **options):
        changed = keep_term_deadlines()
        self.stdout.write(_("%(n)d kept term deadlines changed.") % {"n": changed})
