"""The branch secretary's pages: the branches list, a month's payments in one form, the year's
amounts, hand-ins (and their receipt by the organization above), the year's publication."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.access import lists, scope
from dangjian.access.decorators import requires
from dangjian.access.models import Action
from dangjian.core.audit import record_read
from dangjian.core.events import AuditEvent
from dangjian.core.filters import params
from dangjian.core.money import yuan
from dangjian.dues import queries, register, services
from dangjian.dues.filters import HandInFilter
from dangjian.dues.forms import HandInForm, MonthPaymentsForm, PublishForm, ReceiveForm, YearForm
from dangjian.dues.lists import BRANCHES, HAND_INS
from dangjian.dues.models import DuesMonth, DuesPayment, DuesPublication, DuesRelief, HandIn
from dangjian.dues.views.common import (
    REFUSALS,
    acts_for_higher,
    branch_or_404,
    month_param,
    refused,
    year_param,
)
from dangjian.rulebook.periods import add_months


def _month_total(model, month, *, field: str, count: bool):
    qs = model.objects.filter(party_organization=OuterRef("pk"), month=month)
    if model is DuesMonth:
        qs = qs.filter(due_fen__gt=0)
    value = Count("id") if count else Sum(field)
    return Coalesce(
        Subquery(
            qs.order_by().values("party_organization").annotate(v=value).values("v")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


@login_required
def index(request):
    """The party organizations whose dues the user keeps, with this month's figures."""
    month = queries.month_start(timezone.localdate())
    action = lists.scope_action(request)
    qs = scope.dues_branches(request.user, action).annotate(
        due_count=_month_total(DuesMonth, month, field="due_fen", count=True),
        paid_count=_month_total(DuesPayment, month, field="amount_fen", count=True),
        due_total=_month_total(DuesMonth, month, field="due_fen", count=False),
        paid_total=_month_total(DuesPayment, month, field="amount_fen", count=False),
    )
    if lists.wants_xlsx(request):
        return BRANCHES.export(request, qs)
    pending = []
    if scope.can(request.user, Action.APPROVE):
        pending = (
            scope.visible(DuesRelief, request.user, Action.APPROVE)
            .filter(approved_on__isnull=True)
            .select_related("member")
            .order_by("decided_on", "pk")[:50]  # a worklist: the oldest fifty first
        )
    return render(
        request,
        "dues/index.html",
        {
            **BRANCHES.context(request, qs),
            "month": month,
            "month_label": queries.label(month),
            "pending_reliefs": pending,
        },
    )


@login_required
def branch(request, pk: int):
    """A month of the branch: who owes what, who paid; the secretary records the month's
    payments for the whole branch in one form."""
    po = branch_or_404(request, pk)
    today = timezone.localdate()
    month = month_param(request)
    can_edit = scope.dues_branches(request.user, Action.EDIT).filter(pk=po.pk).exists()
    members = scope.members(request.user).filter(relation_party_organization=po)
    rows = queries.branch_month(
        members,
        scope.visible(DuesMonth, request.user),
        scope.visible(DuesPayment, request.user),
        month,
        today,
    )
    form = None
    if can_edit:
        form = MonthPaymentsForm(request.POST or None, rows=rows)
        if request.method == "POST" and form.is_valid():
            done, failed = 0, []
            for row, amount, method in form.chosen():
                try:
                    services.record_payment(
                        row["member"],
                        months=[month],
                        amount_fen=amount,
                        paid_on=form.cleaned_data["paid_on"],
                        method=method,
                        actor=request.user,
                    )
                    done += 1
                except REFUSALS as exc:
                    failed.append(row["member"].name)
                    refused(request, exc)
            if done:
                messages.success(
                    request,
                    _("%(n)d payments recorded for %(month)s.")
                    % {"n": done, "month": queries.label(month)},
                )
            if not done and not failed:
                messages.info(request, _("Tick the members who paid."))
            if not failed:
                return redirect(f"{reverse('dues:branch', args=[po.pk])}?month={month:%Y-%m}")
            # The refused rows stay ticked with what was typed; the others were saved.
            form = MonthPaymentsForm(
                request.POST,
                rows=queries.branch_month(
                    members,
                    scope.visible(DuesMonth, request.user),
                    scope.visible(DuesPayment, request.user),
                    month,
                    today,
                ),
            )
            form.is_valid()
    due = sum(r["due_fen"] or 0 for r in rows)
    paid = sum(r["payment"].amount_fen for r in rows if r["payment"])
    return render(
        request,
        "dues/branch.html",
        {
            "po": po,
            "month": month,
            "month_label": queries.label(month),
            "previous": add_months(month, -1),
            "next": add_months(month, 1),
            "rows": rows,
            "form": form,
            "can_edit": can_edit,
            "unassessed": any(not r["assessed"] and r["due_fen"] for r in rows),
            "missing_base": [r["member"] for r in rows if r["due_fen"] is None],
            "totals": {
                "members": len(rows),
                "paid_members": sum(1 for r in rows if r["payment"]),
                "due": yuan(due),
                "paid": yuan(paid),
            },
            "hand_in": queries.hand_in_covering(po, month),
            "year_form": YearForm(initial={"year": month.year}),
        },
    )


@requires(Action.EDIT)
def assess(request, pk: int):
    """Set the year's amounts (年初核定) for the branch's members."""
    po = branch_or_404(request, pk, Action.EDIT)
    form = YearForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        raise Http404
    year = form.cleaned_data["year"]
    if not 1921 <= year <= timezone.localdate().year + 1:
        raise Http404
    result = services.assess_year(po, year, actor=request.user)
    messages.success(
        request,
        _("The amounts of %(year)d are set: %(n)d member-months.")
        % {"year": year, "n": result.created},
    )
    if result.without_base:
        messages.warning(
            request,
            _("%(n)d members have no dues category and base declared: declare them on their page.")
            % {"n": len(result.without_base)},
        )
    return redirect(f"{reverse('dues:branch', args=[po.pk])}?month={year}-01")


@login_required
def hand_ins(request):
    """Hand-ins of the party organizations in scope; the organization above records receipt."""
    action = lists.scope_action(request)
    filters = HandInFilter(
        params(request),
        scope.visible(HandIn, request.user, action).select_related("party_organization"),
    )
    if lists.wants_xlsx(request) and not filters.errors:
        return HAND_INS.export(request, filters.qs, filters=filters.describe())
    return render(
        request,
        "dues/hand_ins.html",
        {**HAND_INS.context(request, filters.qs), "filters": filters.form},
    )


@requires(Action.EDIT)
def hand_in_new(request, pk: int):
    """The branch hands in a month's or a quarter's collection."""
    po = branch_or_404(request, pk, Action.EDIT)
    today = timezone.localdate()
    initial_month = add_months(queries.month_start(today), -1)
    form = HandInForm(
        request.POST or None,
        initial={
            "period": HandIn.Period.MONTH,
            "first_month": initial_month,
            "amount": queries.collected_fen(po, initial_month, queries.month_end(initial_month)),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.hand_in(
                po,
                period=data["period"],
                first_month=data["first_month"],
                amount_fen=data["amount"],
                handed_on=data["handed_on"],
                note=data["note"],
                actor=request.user,
            )
        except REFUSALS as exc:
            refused(request, exc)
        else:
            messages.success(request, _("The hand-in is recorded."))
            return redirect("dues:hand_in_new", pk=po.pk)
    history = (
        scope.visible(HandIn, request.user).filter(party_organization=po).order_by("-first_month")
    )
    recent = [
        (m, yuan(queries.collected_fen(po, m, queries.month_end(m))))
        for m in (add_months(initial_month, -i) for i in range(3))
    ]
    return render(
        request,
        "dues/hand_in_new.html",
        {
            "po": po,
            "form": form,
            "history": history[:24],
            "recent": [(queries.label(m), total) for m, total in recent],
        },
    )


@requires(Action.EDIT)
def hand_in_receive(request, pk: int):
    """The organization above records that it received a hand-in."""
    obj = scope.get(request.user, HandIn.objects.select_related("party_organization"), pk)
    if not acts_for_higher(request.user, obj.party_organization, hand_in=True):
        raise Http404
    form = ReceiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.receive_hand_in(
                obj,
                received_on=form.cleaned_data["received_on"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except REFUSALS as exc:
            refused(request, exc)
        else:
            messages.success(request, _("The receipt is recorded."))
            return redirect("dues:hand_ins")
    return render(request, "dues/hand_in_receive.html", {"hand_in": obj, "form": form})


@login_required
def year(request, pk: int):
    """The year of the branch: the 党费收缴登记表 as a page and an .xlsx, and its publication
    (党费收缴情况公示)."""
    po = branch_or_404(request, pk)
    today = timezone.localdate()
    the_year = year_param(request)
    can_edit = scope.dues_branches(request.user, Action.EDIT).filter(pk=po.pk).exists()
    publication = (
        scope.visible(DuesPublication, request.user)
        .filter(party_organization=po, year=the_year)
        .first()
    )
    form = PublishForm(request.POST or None, initial={"year": the_year}) if can_edit else None
    if request.method == "POST" and form is not None and form.is_valid():
        if form.cleaned_data["year"] != the_year:
            raise Http404
        try:
            services.publish_year(
                po, the_year, published_on=form.cleaned_data["published_on"], actor=request.user
            )
        except REFUSALS as exc:
            refused(request, exc)
        else:
            messages.success(request, _("The year's dues are published."))
            return redirect(f"{reverse('dues:year', args=[po.pk])}?year={the_year}")
    show_live = publication is None or request.GET.get("live") == "1"
    figures = (
        queries.year_table(po, the_year, today)
        if publication is None or show_live
        else publication.figures
    )
    if lists.wants_xlsx(request):
        if not scope.dues_branches(request.user, Action.EXPORT).filter(pk=po.pk).exists():
            raise Http404
        record_read(
            request.user,
            AuditEvent.DUES_REGISTER_EXPORTED,
            po,
            year=the_year,
            rows=len(figures["rows"]),
            published=not show_live,
        )
        return register.response(figures)
    return render(
        request,
        "dues/year.html",
        {
            "po": po,
            "year": the_year,
            "years": [the_year - 1, the_year, the_year + 1]
            if the_year < today.year
            else [the_year - 1, the_year],
            "figures": register.display(figures),
            "publication": publication,
            "show_live": show_live,
            "form": form,
            "months": list(range(1, 13)),
        },
    )
