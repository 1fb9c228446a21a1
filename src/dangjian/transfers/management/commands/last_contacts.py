"""``dangjian last_contacts`` — rebuild the dates a member's last contact and a branch's
keeping of records are read from (``orglife.LastAttended``, ``orglife.LastRecorded``,
``dues.LastPaid``, ``dues.BranchLastPaid``; read by ``transfers.queries.out_of_contact``)
and report any drift: zero when every writer kept them; non-zero means an attendance row, a
meeting or a payment was written outside the orglife and dues services."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from dangjian.core import touch
from dangjian.dues import contact as dues_contact
from dangjian.orglife.services import contact as orglife_contact


class Command(BaseCommand):
    help = "Rebuild the last meeting attended, dues paid and records kept; report any drift."
    requires_system_checks: list[str] = []

    def handle(self, *args, **options):
        drifts = {**orglife_contact.rebuild(), **dues_contact.rebuild()}
        labels = {
            "attended": _("last meeting attended (members)"),
            "recorded": _("last meeting recorded (party organizations)"),
            "paid": _("last dues paid (members)"),
            "collected": _("last dues collected (party organizations)"),
        }
        for key, drift in drifts.items():
            self.stdout.write(
                _("%(what)s: %(rows)d rows; %(missing)d missing, %(extra)d extra, %(wrong)d wrong.")
                % {"what": labels[key], **drift}
            )
        if any(d["missing"] or d["extra"] or d["wrong"] for d in drifts.values()):
            # The lost-contact rule reads these dates and the skip cache leaves them out (they
            # follow their facts): a repair judges everything again.
            touch.everything()
            self.stdout.write(_("Repaired."))
