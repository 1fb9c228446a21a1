"""The dues ledger (党费收缴台账): one row per member and month, payments recorded through
``dues.services``.

Members are found by the blind index of their ID number, among those holding their 组织关系
in a party organization whose dues the importer keeps (``access.scope.dues_branches``). A row
without an amount records nothing (an exported month's unpaid members come back that way). A
month already recorded with the same amount, day and method is unchanged, so importing the
same file twice records nothing twice; a month already recorded differently is refused, never
overwritten. The months a payment may cover and the amount it must reach are checked by the
dues services' own checks, the same the pages use.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dangjian.access import scope
from dangjian.access.models import Action
from dangjian.core import crypto
from dangjian.core.money import yuan
from dangjian.dues import assessment, queries
from dangjian.dues import services as dues_services
from dangjian.dues.models import DuesMonth, DuesPayment
from dangjian.ledgers import cells
from dangjian.ledgers.engine import NEW, UNCHANGED
from dangjian.ledgers.handlers.base import Handler, show
from dangjian.party.models import PartyMember


class DuesHandler(Handler):
    ledger = "dues"

    def payers(self, ctx):
        qs = PartyMember.objects.filter(
            relation_party_organization__federation__path__startswith=ctx.federation.path
        )
        if ctx.user is not None:
            qs = qs.filter(
                pk__in=scope.members(ctx.user, Action.EDIT).values("pk"),
                relation_party_organization__in=scope.dues_branches(ctx.user, Action.EDIT).values(
                    "pk"
                ),
            )
        return qs.select_related("relation_party_organization__federation")

    def prepare(self, ctx, rows):
        hashes = {
            crypto.blind_index(r.record["id_number"]) for r in rows if r.record.get("id_number")
        }
        self.by_hash = {
            m.id_number_hash: m for m in self.payers(ctx).filter(id_number_hash__in=hashes)
        }

    def check(self, ctx, row):
        rec = row.record
        member = (
            self.by_hash.get(crypto.blind_index(rec["id_number"])) if rec.get("id_number") else None
        )
        if member is None:
            if rec.get("id_number"):
                row.errors["id_number"] = _(
                    "No member with this ID number holds their organizational relation in a party "
                    "organization whose dues you keep."
                )
            return
        rec["_member"] = member
        name = cells.compact(rec.get("name", ""))
        if name and name != member.name:
            row.errors["name"] = _(
                "The name does not match the member with this ID number (%(name)s)."
            ) % {"name": member.name}
        month = rec.get("month")
        row.label = f"{member.name} {queries.label(month)}" if month else member.name
        if month is None:
            return
        self.duplicate(row, (member.pk, month), "month")
        if row.errors.keys() & {"amount", "paid_on", "method"}:
            return  # a cell that could not be read says so itself
        amount, paid_on = rec.get("amount"), rec.get("paid_on")
        if amount is None:
            if paid_on is not None:
                row.errors["amount"] = _("A payment day is given but no amount paid.")
            return
        if paid_on is None:
            row.errors["paid_on"] = _("Give the day the dues were paid.")
            return
        if paid_on > ctx.today:
            row.errors["paid_on"] = _("This date is in the future.")
            return
        try:
            dues_services.check_payment_months(
                member, [month], paid_on, member.relation_party_organization.federation
            )
        except ValidationError as exc:
            row.errors["month"] = " ".join(exc.messages)

    def classify(self, ctx, rows):
        keyed = [r for r in rows if r.record.get("_member") is not None]
        members = {r.record["_member"].pk for r in keyed}
        months = {r.record["month"] for r in keyed}
        paid = {
            (p.member_id, p.month): p
            for p in DuesPayment.objects.filter(member_id__in=members, month__in=months)
        }
        stored = {
            (d.member_id, d.month): d.due_fen
            for d in DuesMonth.objects.filter(member_id__in=members, month__in=months)
        }
        for month in months:
            need = [m for m in members if (m, month) not in stored]
            computed, _missing = assessment.compute(need, month)
            stored.update({(pk, month): d.due_fen for pk, d in computed.items()})
        for row in rows:
            rec = row.record
            member = rec.get("_member")
            if member is None or rec.get("amount") is None:
                row.status = UNCHANGED  # nothing to record
                continue
            key = (member.pk, rec["month"])
            method = rec.get("method") or DuesPayment.Method.CASH
            done = paid.get(key)
            if done is not None:
                if (done.amount_fen, done.paid_on, done.method) == (
                    rec["amount"],
                    rec["paid_on"],
                    method,
                ):
                    row.status = UNCHANGED
                else:
                    row.errors["amount"] = _(
                        "This month was already recorded as paid (%(amount)s yuan on %(day)s, "
                        "receipt %(receipt)s); a recorded payment is not changed by an import."
                    ) % {
                        "amount": yuan(done.amount_fen),
                        "day": done.paid_on.isoformat(),
                        "receipt": done.receipt_no,
                    }
                continue
            due = stored.get(key)
            if due is None:
                row.errors["month"] = _(
                    "No dues category and base is declared for this member in this month; "
                    "declare it on the member's dues page first."
                )
                continue
            if due == 0:
                row.errors["month"] = _("The member is exempt this month: nothing is due.")
                continue
            try:
                dues_services.check_amount([due], rec["amount"])
            except ValidationError as exc:
                row.errors["amount"] = " ".join(exc.messages)
                continue
            rec["method"] = method
            row.status = NEW
            row.changes = {
                self.columns["amount"].header: ["", yuan(rec["amount"])],
                self.columns["paid_on"].header: ["", show(self.columns["paid_on"], rec["paid_on"])],
                self.columns["method"].header: ["", show(self.columns["method"], method)],
            }

    def apply(self, ctx, rows):
        dues_services.record_payments_bulk(
            [
                {
                    "member": r.record["_member"],
                    "month": r.record["month"],
                    "amount_fen": r.record["amount"],
                    "paid_on": r.record["paid_on"],
                    "method": r.record["method"],
                    "note": r.record.get("note", ""),
                }
                for r in rows
            ],
            actor=ctx.user,
            note=self.note,
            today=ctx.today,
        )
