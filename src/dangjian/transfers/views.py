"""Pages of the transfers app: the transfers (issue a letter, receive one from outside, accept,
the receipt, return or cancel, the Word letter), flowing members, members out of contact and
one member's contacts and standing decisions."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Case, CharField, Exists, F, OuterRef, When
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.access import lists, scope
from dangjian.access.decorators import requires
from dangjian.access.models import Action
from dangjian.core.audit import record_read
from dangjian.core.errors import WorkflowError
from dangjian.core.events import AuditEvent
from dangjian.core.filters import params
from dangjian.core.http import attach
from dangjian.documents.introduction import IntroductionLetter, build_introduction_letter
from dangjian.party import services as party_services
from dangjian.party import standing_queries
from dangjian.party.models import ContactRecord, FlowingPeriod, PartyMember, StandingDecision
from dangjian.transfers import forms, queries, services
from dangjian.transfers.filters import FlowingFilter, TransferFilter
from dangjian.transfers.lists import FLOWING, OUT_OF_CONTACT, TRANSFERS
from dangjian.transfers.models import Transfer

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _errors(exc) -> str:
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def _with_host_name(qs, user):
    """Flowing periods with ``host_name``: the host party organization's name where the user
    sees it (one of another scope stays unnamed: its name is not the user's to read)."""
    visible = scope.party_organizations(user).values("pk")
    return qs.annotate(
        host_name=Case(
            When(host_party_organization__in=visible, then=F("host_party_organization__name")),
            default=F("host_external"),
            output_field=CharField(),
        )
    )


def _kept(user, action=Action.EDIT):
    """The party organizations whose members the user keeps (their transfers, flowing members,
    contacts): a secretary their own, a federation officer the federation's."""
    return scope.dues_branches(user, action)


def _kept_members(user):
    return (
        scope.members(user, Action.EDIT)
        .filter(relation_party_organization__in=_kept(user).values("pk"), left_on__isnull=True)
        .select_related("relation_party_organization")
        .order_by("name", "pk")
    )


@login_required
def index(request):
    action = lists.scope_action(request)
    qs = scope.visible(Transfer, request.user, action).select_related(
        "member", "from_party_organization", "to_party_organization"
    )
    filters = TransferFilter(params(request), qs)
    if lists.wants_xlsx(request) and not filters.errors:
        return TRANSFERS.export(request, filters.qs, filters=filters.describe())
    today = timezone.localdate()
    kept = _kept(request.user, Action.VIEW)
    return render(
        request,
        "transfers/index.html",
        {
            **TRANSFERS.context(request, filters.qs),
            "filters": filters.form,
            "can_edit": _kept(request.user).exists(),
            # The kept branches as a join per grant on each row (not an IN over every
            # branch of the federation).
            "figures": queries.figures(
                functools.partial(scope.dues_branch_q, request.user, Action.VIEW), today
            )
            if kept.exists()
            else None,
            "today": today,
        },
    )


@requires(Action.EDIT)
def new(request):
    members = _kept_members(request.user)
    initial = {}
    if request.GET.get("member", "").isdigit():
        initial["member"] = request.GET["member"]
    form = forms.IssueForm(
        request.POST or None,
        initial=initial,
        members=members,
        party_orgs=scope.party_organizations(request.user)
        .filter(valid_to__isnull=True)
        .order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            transfer = services.issue_transfer(
                data["member"],
                to=data["to"],
                issued_on=data["issued_on"],
                valid_days=data["valid_days"],
                dues_paid_to=data["dues_paid_to"],
                reason=data["reason"],
                contact_note=data["contact_note"],
                actor=request.user,
            )
        except (ValidationError, WorkflowError) as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(
                request,
                _("Introduction letter %(no)s issued.") % {"no": transfer.letter_no},
            )
            return redirect("transfers:detail", pk=transfer.pk)
    return render(
        request, "transfers/form.html", {"form": form, "title": _("Issue an introduction letter")}
    )


@requires(Action.EDIT)
def receive(request):
    """A member arrives with a printed letter from a party organization outside the system."""
    kept = _kept(request.user)
    members = (
        scope.members(request.user, Action.EDIT)
        .filter(left_on__isnull=True)
        .select_related("relation_party_organization")
        .order_by("name", "pk")
    )
    form = forms.ReceiveForm(
        request.POST or None,
        members=members,
        party_orgs=kept.filter(valid_to__isnull=True).order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            transfer = services.receive_from_outside(
                data["member"],
                to=data["to_party_organization"],
                from_external=data["from_external"],
                external_letter_no=data["external_letter_no"],
                issued_on=data["issued_on"],
                valid_days=data["valid_days"],
                dues_paid_to=data["dues_paid_to"],
                accepted_on=data["accepted_on"],
                actor=request.user,
            )
        except (ValidationError, WorkflowError) as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, _("The member's relation has been received."))
            return redirect("transfers:detail", pk=transfer.pk)
    return render(
        request,
        "transfers/form.html",
        {"form": form, "title": _("Receive a letter from outside the system")},
    )


def _rights(user, transfer):
    kept = set(_kept(user).values_list("pk", flat=True))
    return {
        "may_send": transfer.from_party_organization_id in kept,
        "may_receive": transfer.to_party_organization_id in kept,
    }


@login_required
def detail(request, pk: int):
    transfer = scope.get(
        request.user,
        Transfer.objects.select_related(
            "member", "federation", "from_party_organization", "to_party_organization"
        ),
        pk,
    )
    rights = _rights(request.user, transfer)
    today = timezone.localdate()
    version = {"version": transfer.version}
    context = {
        "transfer": transfer,
        **rights,
        "today": today,
        "expired": transfer.expired_on(today),
        "receipt_due": queries.receipt_due(transfer),
        "accept_form": forms.AcceptForm(initial=version),
        "receipt_form": forms.ReceiptForm(initial=version),
        "receipt_sent_form": forms.ReceiptSentForm(initial=version),
        "close_form": forms.CloseForm(initial=version),
        "national_form": forms.NationalForm(initial=version),
        "can_print": Action.VIEW_PERSONAL
        in scope.get_with_rights(request.user, Transfer, transfer.pk)[1],
    }
    return render(request, "transfers/detail.html", context)


def _act(request, pk, form_class, run, done):
    transfer = scope.get(request.user, Transfer, pk, Action.EDIT)
    form = form_class(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("transfers:detail", pk=pk)
    try:
        run(transfer, form.cleaned_data, _rights(request.user, transfer))
    except (ValidationError, WorkflowError) as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, done)
    return redirect("transfers:detail", pk=pk)


def _need(flag):
    if not flag:
        raise Http404


@require_POST
@requires(Action.EDIT)
def accept(request, pk: int):
    def run(t, d, rights):
        _need(rights["may_receive"])
        services.accept_transfer(t, version=d["version"], on=d["on"], actor=request.user)

    return _act(request, pk, forms.AcceptForm, run, _("The transfer has been accepted."))


@require_POST
@requires(Action.EDIT)
def receipt(request, pk: int):
    def run(t, d, rights):
        _need(rights["may_send"])
        services.record_receipt(
            t,
            version=d["version"],
            received_on=d["received_on"],
            accepted_on=d["accepted_on"],
            actor=request.user,
        )

    return _act(request, pk, forms.ReceiptForm, run, _("The receipt has been recorded."))


@require_POST
@requires(Action.EDIT)
def receipt_sent(request, pk: int):
    def run(t, d, rights):
        _need(rights["may_receive"])
        services.record_receipt_sent(
            t, version=d["version"], sent_on=d["sent_on"], actor=request.user
        )

    return _act(request, pk, forms.ReceiptSentForm, run, _("The receipt has been recorded."))


@require_POST
@requires(Action.EDIT)
def close(request, pk: int):
    def run(t, d, rights):
        may = (
            rights["may_receive"] if d["status"] == Transfer.Status.RETURNED else rights["may_send"]
        )
        _need(may)
        services.close_transfer(
            t, version=d["version"], status=d["status"], reason=d["reason"], actor=request.user
        )

    return _act(request, pk, forms.CloseForm, run, _("The transfer has been closed."))


@require_POST
@requires(Action.EDIT)
def national(request, pk: int):
    def run(t, d, rights):
        _need(rights["may_send"] or rights["may_receive"])
        services.record_national(
            t, version=d["version"], ref=d["ref"], on=d["on"], actor=request.user
        )

    return _act(
        request,
        pk,
        forms.NationalForm,
        run,
        _("The national system's reference has been recorded."),
    )


def _age(member, day):
    born = member.birth_date
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@login_required
def letter(request, pk: int):
    """The introduction letter (stub, letter, receipt) as a Word file: it prints the member's ID
    number, so it needs the personal-data right and the download is logged."""
    transfer = scope.get(
        request.user,
        Transfer.objects.select_related("member", "federation", "from_party_organization__parent"),
        pk,
        Action.VIEW_PERSONAL,
    )
    if not transfer.letter_no:
        raise Http404
    member = transfer.member
    committee = transfer.from_party_organization
    while (
        committee is not None
        and committee.parent_id is not None
        and committee.kind != committee.Kind.COMMITTEE
    ):
        committee = committee.parent
    data = build_introduction_letter(
        IntroductionLetter(
            number=transfer.letter_no,
            name=member.name,
            sex=member.get_gender_display(),
            age=_age(member, transfer.issued_on),
            ethnicity=member.ethnicity,
            full_member=member.is_full_on(transfer.issued_on),
            id_number=member.id_number,
            from_org=transfer.from_name,
            to_org=transfer.to_name,
            dues_paid_to=transfer.dues_paid_to,
            valid_days=transfer.valid_days,
            issued_on=transfer.issued_on,
            issuer=committee.name if committee else transfer.from_name,
            issuer_contact=transfer.contact_note,
        )
    )
    record_read(
        request.user, AuditEvent.MEMBER_EXPORTED_FOR_SUBJECT, member, letter=transfer.letter_no
    )
    response = HttpResponse(data, content_type=DOCX)
    return attach(response, f"组织关系介绍信-{transfer.letter_no}.docx", "letter.docx")


# -- flowing members -------------------------------------------------------------------------------


@login_required
def flowing(request):
    action = lists.scope_action(request)
    qs = _with_host_name(
        scope.visible(FlowingPeriod, request.user, action).select_related(
            "member__relation_party_organization"
        ),
        request.user,
    )
    filters = FlowingFilter(params(request), qs)
    if lists.wants_xlsx(request) and not filters.errors:
        return FLOWING.export(request, filters.qs, filters=filters.describe())
    return render(
        request,
        "transfers/flowing.html",
        {
            **FLOWING.context(request, filters.qs),
            "filters": filters.form,
            "can_edit": _kept(request.user).exists(),
        },
    )


@requires(Action.EDIT)
def flowing_new(request):
    form = forms.FlowingForm(
        request.POST or None,
        members=_kept_members(request.user),
        party_orgs=scope.party_organizations(request.user)
        .filter(valid_to__isnull=True)
        .order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            party_services.register_flowing(
                d["member"],
                since=d["since"],
                whereabouts=d["whereabouts"],
                certificate_no=d["certificate_no"],
                host=d["host"] or d["host_name"],
                actor=request.user,
            )
        except (ValidationError, WorkflowError) as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, _("The member has been registered as flowing."))
            return redirect("transfers:flowing")
    return render(
        request, "transfers/form.html", {"form": form, "title": _("Register a flowing member")}
    )


# -- members out of contact --------------------------------------------------------------------


@login_required
def lost(request):
    """Members out of contact for the rulebook's months (proposed, not declared), and those
    declared lost contact or suspended."""
    today = timezone.localdate()
    kept = _kept(request.user, Action.VIEW).values("pk")
    visible = scope.members(request.user, lists.scope_action(request))
    months = queries.lost_contact_months(day=today)
    # Each candidate checked against the scope on its own key, and the declared ones read
    # through the scope itself: an IN over every member in scope (a federation's million)
    # was most of this page's time.
    qs = (
        queries.out_of_contact(kept, today, months)
        .filter(Exists(visible.filter(pk=OuterRef("pk"))))
        .select_related("relation_party_organization")
    )
    if lists.wants_xlsx(request):
        return OUT_OF_CONTACT.export(request, qs)
    declared = (
        visible.filter(standing_queries.lost_q(today))
        .select_related("relation_party_organization")
        .order_by("name", "pk")
    )
    return render(
        request,
        "transfers/lost.html",
        {**OUT_OF_CONTACT.context(request, qs), "months": months, "declared": declared},
    )


@login_required
def member(request, pk: int):
    """One member's flowing periods, contacts and standing decisions, with the forms to add."""
    member, rights = scope.get_with_rights(
        request.user, PartyMember.objects.select_related("relation_party_organization"), pk
    )
    today = timezone.localdate()
    may_edit = Action.EDIT in rights
    contact_form = forms.ContactForm(prefix="contact")
    decision_form = forms.DecisionForm(prefix="decision")
    if request.method == "POST":
        if not may_edit:
            raise Http404
        which = request.POST.get("form")
        try:
            if which == "contact":
                contact_form = forms.ContactForm(request.POST, prefix="contact")
                if contact_form.is_valid():
                    d = contact_form.cleaned_data
                    party_services.record_contact(
                        member,
                        on=d["on"],
                        method=d["method"],
                        reached=d["reached"],
                        note=d["note"],
                        actor=request.user,
                    )
                    messages.success(request, _("The contact has been recorded."))
                    return redirect("transfers:member", pk=pk)
            elif which == "decision":
                decision_form = forms.DecisionForm(request.POST, prefix="decision")
                if decision_form.is_valid():
                    party_services.record_standing_decision(
                        member, **decision_form.cleaned_data, actor=request.user
                    )
                    messages.success(request, _("The decision has been recorded."))
                    return redirect("transfers:member", pk=pk)
            elif which == "end_flowing":
                period = scope.get(
                    request.user,
                    FlowingPeriod.objects.filter(member=member),
                    request.POST.get("period"),
                )
                party_services.end_flowing(period, on=today, actor=request.user)
                messages.success(request, _("The flowing period has ended."))
                return redirect("transfers:member", pk=pk)
        except (ValidationError, WorkflowError) as exc:
            messages.error(request, _errors(exc))
    context = {
        "member": member,
        "may_edit": may_edit,
        "standing": standing_queries.STANDING_LABELS[standing_queries.standing_on(member, today)],
        "flowing": _with_host_name(
            scope.visible(FlowingPeriod, request.user).filter(member=member), request.user
        ),
        "contacts": scope.visible(ContactRecord, request.user).filter(member=member),
        "decisions": scope.visible(StandingDecision, request.user)
        .filter(member=member)
        .order_by("-decided_on", "-id"),
        "transfers": scope.visible(Transfer, request.user)
        .filter(member=member)
        .select_related("from_party_organization", "to_party_organization"),
        "contact_form": contact_form,
        "decision_form": decision_form,
    }
    return render(request, "transfers/member.html", context)
