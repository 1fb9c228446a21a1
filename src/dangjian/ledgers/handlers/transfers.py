"""The transfers ledger (组织关系转接台账): past transfers of the 组织关系, recorded through
``transfers.services.record_past_transfer`` in the order they were issued — the letter with
the checks of a new one (not to the member's own branch, to a party organization existing that
day, the letter's validity on acceptance), the relation moving on the acceptance date through
``party.services.move_relation``, and the letter's printed number entered in the federation's
register when it has the register's form (the register's next number then follows it).

A transfer is identified by its member and the day its letter was issued: one already recorded
the same way is unchanged; one recorded differently is refused, never changed by an import.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from dangjian.ledgers import cells
from dangjian.ledgers.handlers.base import show
from dangjian.ledgers.handlers.replay import ReplayHandler
from dangjian.ledgers.lifecycle_specs import TransferKind
from dangjian.party.models import PartyMember, PartyOrganization
from dangjian.transfers import services as transfer_services
from dangjian.transfers.models import Transfer


class TransferHandler(ReplayHandler):
    ledger = "transfers"
    error_column = "to_org"

    def load(self, ctx, present):
        super().load(ctx, present)
        self.load_party_orgs(ctx)

    def check(self, ctx, row):
        rec = row.record
        rec["_member"] = self.member_for(ctx, row)
        self.same_name(row, rec["_member"])
        kind = rec.get("kind")
        row.label = f"{rec.get('name', '')} {show(None, rec.get('issued_on'))}".strip()
        if kind in (TransferKind.WITHIN, TransferKind.OUT):
            source = self.party_org_for(row, "from_org")
            rec["_source"] = PartyOrganization.objects.get(pk=source) if source else None
        else:
            rec["_source"] = cells.compact(rec.get("from_org") or "")
        if kind == TransferKind.WITHIN:
            rec["_to"] = self._system_org(row, "to_org")
        elif kind == TransferKind.IN:
            to = self.party_org_for(row, "to_org")
            rec["_to"] = PartyOrganization.objects.get(pk=to) if to else None
        else:
            rec["_to"] = cells.compact(rec.get("to_org") or "")
        if kind == TransferKind.IN and not rec.get("letter_no"):
            row.errors["letter_no"] = _("The number of the letter received is required.")
        if rec["_member"] and rec.get("issued_on"):
            self.duplicate(row, (rec["_member"], rec["issued_on"]), "issued_on")

    def _system_org(self, row, key: str) -> PartyOrganization | None:
        name = row.record.get(key) or ""
        found = self.system_party_org(name)
        if found is None:
            row.errors[key] = _(
                "No party organization in the system is named %(name)s; for one outside the "
                "system choose 转出系统外."
            ) % {"name": name}
        elif found == "several":
            row.errors[key] = _("Several party organizations are named %(name)s.") % {"name": name}
        return found if isinstance(found, PartyOrganization) else None

    def order(self, row):
        return (row.record["issued_on"],)

    def stored(self, ctx, row):
        rec = row.record
        done = Transfer.objects.filter(member_id=rec["_member"], issued_on=rec["issued_on"]).first()
        if done is None:
            return False
        same = (
            (done.from_party_organization or done.from_external) == rec["_source"]
            and (done.to_party_organization or done.to_external) == rec["_to"]
            and done.accepted_on == rec.get("accepted_on")
        )
        if not same:
            row.errors["issued_on"] = _(
                "A transfer of this member issued on this day is already recorded (%(letter)s, "
                "%(status)s); an import does not change it."
            ) % {"letter": str(done), "status": done.get_status_display()}
        return same

    def play(self, ctx, row):
        rec = row.record
        transfer_services.record_past_transfer(
            PartyMember.objects.get(pk=rec["_member"]),
            source=rec["_source"],
            to=rec["_to"],
            issued_on=rec["issued_on"],
            letter_no=rec.get("letter_no") or "",
            valid_days=rec.get("valid_days"),
            accepted_on=rec.get("accepted_on"),
            receipt_on=rec.get("receipt_on"),
            dues_paid_to=rec.get("dues_paid_to"),
            reason=rec.get("reason") or "",
            actor=ctx.user,
        )
        return None
