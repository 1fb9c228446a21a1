"""A member's dues: their ledger with what the secretary records on it (declarations,
payments ahead or back, reductions, good reasons, steps on arrears), printable receipts, the
arrears worklist, and the member's own ledger on their phone."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.access import scope
from dangjian.access.models import Action
from dangjian.core.money import yuan
from dangjian.dues import amounts, queries, services
from dangjian.dues.forms import (
    ApproveReliefForm,
    BaseForm,
    PaymentForm,
    ReasonForm,
    ReliefForm,
    StepForm,
)
from dangjian.dues.models import (
    ArrearsReason,
    ArrearsStep,
    DuesBase,
    DuesPayment,
    DuesRelief,
)
from dangjian.dues.views.common import (
    REFUSALS,
    acts_for_higher,
    member_or_404,
    refused,
    signed_in_member,
    year_param,
)
from dangjian.party.models import PartyOrganization
from dangjian.rulebook import params

FORMS = {
    "base": BaseForm,
    "pay": PaymentForm,
    "relief": ReliefForm,
    "reason": ReasonForm,
    "step": StepForm,
}


def _save(name: str, form, member, user) -> None:
    """The service call of each form on the member's page."""
    data = form.cleaned_data
    if name == "base":
        services.declare_base(
            member,
            from_month=data["from_month"],
            category=data["category"],
            base_fen=data["base"],
            fixed_fen=data["fixed"],
            note=data["note"],
            actor=user,
        )
    elif name == "pay":
        months = queries.months_between(
            data["first_month"], data["last_month"] or data["first_month"]
        )
        if len(months) > 24:
            raise ValidationError(_("Choose at most 24 months at a time."))
        services.record_payment(
            member,
            months=months,
            amount_fen=data["amount"],
            paid_on=data["paid_on"],
            method=data["method"],
            note=data["note"],
            actor=user,
        )
    elif name == "relief":
        services.record_relief(
            member,
            kind=data["kind"],
            first_month=data["first_month"],
            last_month=data["last_month"],
            monthly_fen=data["monthly"],
            reason=data["reason"],
            decided_on=data["decided_on"],
            actor=user,
        )
    elif name == "reason":
        services.record_arrears_reason(
            member,
            first_month=data["first_month"],
            last_month=data["last_month"],
            reason=data["reason"],
            actor=user,
        )
    elif name == "step":
        services.record_arrears_step(
            member, kind=data["kind"], taken_on=data["taken_on"], note=data["note"], actor=user
        )


def _ledger_context(request, member, the_year: int) -> dict:
    """The member's year and declarations. ``member`` came through the one door (a branch's
    keeper: ``member_or_404``; the member themself: ``signed_in_member``), so their own rows
    are read directly: the member's own sign-in is not yet a grant the dues rules know."""
    today = timezone.localdate()
    rows = queries.member_ledger(member, the_year, today)
    due = sum(r.due.due_fen for r in rows if r.due and r.ended)
    paid = sum(r.payment.amount_fen for r in rows if r.payment)
    return {
        "member": member,
        "year": the_year,
        "years": sorted({the_year - 1, the_year, min(the_year + 1, today.year + 1)}),
        "rows": rows,
        "totals": {"due": yuan(due), "paid": yuan(paid)},
        "bases": DuesBase.objects.filter(member=member).order_by("-from_month"),
    }


@login_required
def member(request, pk: int):
    """The member's ledger as the branch keeps it, with its forms."""
    the_member = member_or_404(request, pk)
    branch = the_member.relation_party_organization
    assert branch is not None  # member_or_404 reaches only members held at a kept branch
    can_edit = scope.members(request.user, Action.EDIT).filter(pk=the_member.pk).exists() and (
        scope.dues_branches(request.user, Action.EDIT).filter(pk=branch.pk).exists()
    )
    higher = acts_for_higher(request.user, branch)
    the_year = year_param(request)
    forms = {name: cls(prefix=name) for name, cls in FORMS.items()}
    approve_form = ApproveReliefForm(prefix="approve")
    if request.method == "POST":
        name = request.POST.get("form", "")
        if name == "approve" and higher:
            relief = scope.get(
                request.user,
                DuesRelief.objects.filter(member=the_member, approved_on__isnull=True),
                request.POST.get("relief"),
                Action.APPROVE,
            )
            approve_form = ApproveReliefForm(request.POST, prefix="approve")
            if approve_form.is_valid():
                try:
                    services.approve_relief(
                        relief,
                        approved_on=approve_form.cleaned_data["approved_on"],
                        approved_by=approve_form.cleaned_data["approved_by"],
                        actor=request.user,
                    )
                except REFUSALS as exc:
                    refused(request, exc)
                else:
                    messages.success(request, _("The reduction or exemption is approved."))
                    return redirect(f"{reverse('dues:member', args=[pk])}?year={the_year}")
        elif name in FORMS and can_edit:
            form = forms[name] = FORMS[name](request.POST, prefix=name)
            if form.is_valid():
                try:
                    _save(name, form, the_member, request.user)
                except REFUSALS as exc:
                    refused(request, exc)
                else:
                    messages.success(request, _("Saved."))
                    return redirect(f"{reverse('dues:member', args=[pk])}?year={the_year}")
        else:
            raise Http404
    today = timezone.localdate()
    runs = [
        run
        for run in queries.unpaid_runs(
            PartyOrganization.objects.filter(pk=branch.pk),
            today,
            min_months=params.value("dues.arrears", "months", day=today),
            lookback_months=params.value("dues.arrears", "lookback_months", day=today),
        )
        if run.member_id == the_member.pk
    ]
    return render(
        request,
        "dues/member.html",
        {
            **_ledger_context(request, the_member, the_year),
            "branch": branch,
            "can_edit": can_edit,
            "higher": higher,
            "forms": forms,
            "approve_form": approve_form,
            "reliefs": scope.visible(DuesRelief, request.user)
            .filter(member=the_member)
            .order_by("-first_month"),
            "reasons": scope.visible(ArrearsReason, request.user)
            .filter(member=the_member)
            .order_by("-first_month"),
            "steps": scope.visible(ArrearsStep, request.user)
            .filter(member=the_member)
            .order_by("-taken_on", "-pk"),
            "run": runs[0] if runs else None,
            "back_months": amounts.local("back_payment_max_months", today, branch.federation),
        },
    )


@login_required
def receipt(request, pk: int):
    """A printable receipt: the months one payment covered."""
    first = scope.get(
        request.user, DuesPayment.objects.select_related("member", "party_organization"), pk
    )
    payments = list(
        scope.visible(DuesPayment, request.user)
        .filter(member_id=first.member_id, receipt_no=first.receipt_no)
        .select_related("recorded_by")
        .order_by("month")
    )
    return render(
        request,
        "dues/receipt.html",
        {
            "first": first,
            "payments": [(p, queries.label(p.month), yuan(p.amount_fen)) for p in payments],
            "total": yuan(sum(p.amount_fen for p in payments)),
        },
    )


@login_required
def arrears(request):
    """The worklist: members with six or more consecutive unpaid months (党章 art. 9), the
    months listed, and what people have done about it so far."""
    today = timezone.localdate()
    branches = scope.dues_branches(request.user)
    runs = queries.unpaid_runs(
        branches,
        today,
        min_months=params.value("dues.arrears", "months", day=today),
        lookback_months=params.value("dues.arrears", "lookback_months", day=today),
    )
    people = scope.members(request.user).in_bulk([r.member_id for r in runs])
    names = dict(
        branches.filter(pk__in={r.party_organization_id for r in runs}).values_list("pk", "name")
    )
    steps: dict[int, list[ArrearsStep]] = {}
    for step in (
        scope.visible(ArrearsStep, request.user)
        .filter(member_id__in=people)
        .order_by("taken_on", "pk")
    ):
        steps.setdefault(step.member_id, []).append(step)
    rows = [
        {
            "member": people[r.member_id],
            "branch": names.get(r.party_organization_id, ""),
            "run": r,
            "steps": steps.get(r.member_id, []),
        }
        for r in runs
        if r.member_id in people
    ]
    rows.sort(key=lambda row: (row["branch"], row["member"].name))
    return render(request, "dues/arrears.html", {"rows": rows, "today": today})


@login_required
def mine(request):
    """The signed-in party member's own ledger (read only), for a phone."""
    own = signed_in_member(request.user)
    if own is None:
        raise Http404
    return render(request, "dues/mine.html", _ledger_context(request, own, year_param(request)))
