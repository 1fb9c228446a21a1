"""The flowing members ledger (流动党员台账): one row per period a member was away from their
branch without transferring, registered through ``party.services.standing.register_flowing``
(its checks: not before joining the party, no overlapping period, a host that is not the
member's own branch) and ended through ``end_flowing`` when the row gives the return date.

A period is identified by its member and its start: one recorded the same way is unchanged;
an open one the row now ends is changed (ended); one recorded differently is refused.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from dangjian.ledgers import cells
from dangjian.ledgers.engine import CHANGED
from dangjian.ledgers.handlers.base import show
from dangjian.ledgers.handlers.replay import ReplayHandler
from dangjian.party.models import FlowingPeriod, PartyMember, PartyOrganization
from dangjian.party.services import standing


class FlowingHandler(ReplayHandler):
    ledger = "flowing"
    error_column = "since"

    def check(self, ctx, row):
        rec = row.record
        rec["_member"] = self.member_for(ctx, row)
        self.same_name(row, rec["_member"])
        row.label = f"{rec.get('name', '')} {show(None, rec.get('since'))}".strip()
        host = cells.compact(rec.get("host") or "")
        found = self.system_party_org(host) if host else None
        if found == "several":
            row.errors["host"] = _("Several party organizations are named %(name)s.") % {
                "name": host
            }
        # A host of the system by its name; any other name is one outside the system.
        rec["_host"] = found if isinstance(found, PartyOrganization) else host
        if rec["_member"] and rec.get("since"):
            self.duplicate(row, (rec["_member"], rec["since"]), "since")

    def order(self, row):
        return (row.record["since"],)

    def _period(self, rec) -> FlowingPeriod | None:
        return FlowingPeriod.objects.filter(
            member_id=rec["_member"], valid_from=rec["since"]
        ).first()

    def _same(self, period: FlowingPeriod, rec) -> bool:
        host = period.host_party_organization or period.host_external
        return (period.whereabouts, period.certificate_no, host) == (
            cells.compact(rec["whereabouts"]),
            cells.compact(rec.get("certificate_no") or ""),
            rec["_host"],
        )

    def stored(self, ctx, row):
        rec = row.record
        period = self._period(rec)
        if period is None:
            return False
        if self._same(period, rec):
            if period.valid_to == rec.get("until"):
                return True
            if period.valid_to is None:
                return False  # the row ends the open period: played as a change
        row.errors["since"] = _(
            "A flowing period of this member starting on this day is already recorded "
            "differently; an import does not change it."
        )
        return False

    def play(self, ctx, row):
        rec = row.record
        period = self._period(rec)
        if period is not None:  # open, the same: the row gives its end
            standing.end_flowing(period, on=rec["until"], actor=ctx.user, note=self.note)
            return CHANGED
        period = standing.register_flowing(
            PartyMember.objects.get(pk=rec["_member"]),
            since=rec["since"],
            whereabouts=rec["whereabouts"],
            certificate_no=rec.get("certificate_no") or "",
            host=rec["_host"] or None,
            actor=ctx.user,
            note=rec.get("note") or self.note,
        )
        if rec.get("until"):
            standing.end_flowing(period, on=rec["until"], actor=ctx.user, note=self.note)
        return None
