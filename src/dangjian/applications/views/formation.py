"""Formation cases (同步推动建立): the task list, the case with its four-standard checklist, and
approval by the higher party organization."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.lookups import IsNull
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.access import lists, scope
from dangjian.access.decorators import requires
from dangjian.access.models import Action
from dangjian.applications import services
from dangjian.applications.checks import full_members_for_branch, standards
from dangjian.applications.filters import ACTIVE, FormationCaseFilter
from dangjian.applications.forms import FormationCaseForm, OpenCaseForm, ReasonForm, VersionForm
from dangjian.applications.lists import FORMATION_CASES
from dangjian.applications.models import FormationCase
from dangjian.applications.views.common import serve_file
from dangjian.core.filters import params
from dangjian.core.models import valid_on_q
from dangjian.party import queries
from dangjian.party.models import Employment
from dangjian.registry.models import Membership, Organization
from dangjian.rulebook import loader as rulebook
from dangjian.transfers import queries as transfer_queries
from dangjian.transfers import services as transfer_services


def _current_units(user, action=Action.VIEW):
    """Units in scope that are current members of a federation."""
    # Written as the statuses a unit is not: an equality on the status nearly every unit has
    # made SQLite (no statistics) read that whole index and sort, where the lists below walk
    # the units' name index and stop after a page.
    others = [s for s in Organization.Status.values if s != Organization.Status.ACTIVE]
    return scope.organizations(user, action).exclude(status__in=others)


def threshold_groups(user, day) -> list[tuple[int, list[int]]]:
    """[(full members needed, [federation ids])] over the federations the user sees: one group
    unless a federation overrides formation.required_not_formed in the rulebook."""
    book = rulebook.load()
    revision = book.revision_on("formation.required_not_formed", day) or book.latest(
        "formation.required_not_formed"
    )
    groups = rulebook.parameter_groups(revision, scope.federations(user), day)
    return sorted((params["min_full_members"], ids) for params, ids in groups)


def qualifying_units(user, day, groups=None):
    """Units with enough full members (by their federation's threshold), no party organization
    and no active case: to do."""
    # Each unit's full members counted on its own jobs (a correlated count, its index), not
    # a GROUP BY over every job of the system: the page shows the first hundred by name.
    full = (
        queries.full_employments(day)
        .filter(organization=OuterRef("pk"))
        .order_by()
        .values("organization")
        .annotate(n=Count("member", distinct=True))
        .values("n")
    )
    # Counted only where no party organization covers the unit (a CASE on its first coverage):
    # PostgreSQL checks the count inside its walk of the units by name, before the anti join
    # that drops the covered ones, and so counted the members of nearly every unit it walked
    # (130 ms at 20,000 units; 14 ms so).
    uncovered = IsNull(Subquery(queries.coverages_on(day).values("pk")[:1]), True)
    counted = Case(
        When(uncovered, then=Subquery(full, output_field=IntegerField())),
        default=Value(0),
        output_field=IntegerField(),
    )
    enough = Q(pk__in=[])
    for threshold, federation_ids in groups or threshold_groups(user, day):
        member = Membership.objects.filter(
            valid_on_q(day), organization=OuterRef("pk"), federation_id__in=federation_ids
        )
        enough |= Q(Exists(member), full_members__gte=threshold)
    active_case = FormationCase.objects.filter(units=OuterRef("pk"), status__in=ACTIVE)
    return (
        _current_units(user)
        .exclude(queries.covered_q(day))
        .exclude(Exists(active_case))
        .alias(full_members=counted)
        .filter(enough)
        .order_by("name")
    )


@login_required
def formation_list(request):
    today = timezone.localdate()
    groups = threshold_groups(request.user, today)
    action = lists.scope_action(request)
    cases = scope.visible(FormationCase, request.user, action).prefetch_related("units")
    filters = FormationCaseFilter(params(request), cases)
    if lists.wants_xlsx(request) and not filters.errors:
        return FORMATION_CASES.export(request, filters.qs, filters=filters.describe())
    return render(
        request,
        "applications/formation_list.html",
        {
            **FORMATION_CASES.context(request, filters.qs),
            "filters": filters.form,
            "status": filters.tab,
            "statuses": FormationCase.Status.choices,
            "qualifying": qualifying_units(request.user, today, groups)[:100],
            "threshold": "–".join(sorted({str(g[0]) for g in groups}, key=int))
            or full_members_for_branch(day=today),
            "can_approve": scope.can(request.user, Action.APPROVE),
        },
    )


@requires(Action.APPROVE)
def formation_open(request):
    federations = scope.federations(request.user, Action.APPROVE)
    organizations = _current_units(request.user, Action.APPROVE)
    initial = {}
    unit = organizations.filter(pk=request.GET.get("unit") or 0).first()
    if unit:
        initial = {"units": [unit], "name": f"{unit.name}党支部"}
    form = OpenCaseForm(request.POST or None, initial=initial, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        units = list(form.cleaned_data["units"])
        federation = federations.filter(memberships__organization__in=units).distinct().first()
        if federation is None:
            form.add_error("units", _("Choose units of a federation you may act for."))
        else:
            try:
                case = services.open_formation_case(
                    federation,
                    units,
                    name=form.cleaned_data["name"],
                    kind=form.cleaned_data["kind"],
                    mode=form.cleaned_data["mode"],
                    parent=services.federation_committee(federation),
                    actor=request.user,
                )
            except services.WorkflowError as exc:
                form.add_error("units", str(exc))
            else:
                messages.success(request, _("Formation case opened."))
                return redirect("applications:formation_detail", pk=case.pk)
    return render(request, "applications/formation_open.html", {"form": form})


CASES = FormationCase.objects.select_related(
    "federation", "parent", "secretary", "instructor", "approval_file", "party_organization"
)


def _case(request, pk, action=Action.VIEW):
    return scope.get(request.user, CASES, pk, action)


def _case_form(request, case, data=None, files=None):
    units = case.units.all()
    organizations = _current_units(request.user, Action.APPROVE)
    day = case.established_on or timezone.localdate()
    members = scope.members(request.user, Action.APPROVE).filter(
        Exists(
            Employment.objects.filter(
                valid_on_q(day), member=OuterRef("pk"), organization__in=units
            )
        )
    )
    return FormationCaseForm(
        data,
        files,
        instance=case,
        organizations=organizations,
        party_organizations=scope.party_organizations(request.user, Action.APPROVE),
        members=members.order_by("name"),
        instructors=scope.instructors(request.user, Action.APPROVE).order_by("name"),
    )


@login_required
def formation_detail(request, pk):
    case, rights = scope.get_with_rights(request.user, CASES, pk)
    may_edit = Action.APPROVE in rights
    form = None
    conflict = None
    if may_edit and case.status == FormationCase.Status.OPEN:
        if request.method == "POST":
            form = _case_form(request, case, request.POST, request.FILES)
            version = VersionForm(request.POST)
            if form.is_valid() and version.is_valid():
                data = {k: v for k, v in form.cleaned_data.items() if k in form.Meta.fields}
                try:
                    services.update_formation_case(
                        case,
                        data,
                        list(form.cleaned_data["units"]),
                        version=version.cleaned_data["version"],
                        approval_upload=form.cleaned_data.get("approval_upload"),
                        actor=request.user,
                    )
                    messages.success(request, _("Changes saved."))
                    return redirect("applications:formation_detail", pk=pk)
                except services.WorkflowError as exc:
                    conflict = str(exc)
            case = _case(request, pk)
        else:
            form = _case_form(request, case)
    parent_ok = case.parent_id and (
        scope.party_organizations(request.user, Action.APPROVE).filter(pk=case.parent_id).exists()
    )
    return render(
        request,
        "applications/formation_detail.html",
        {
            "case": case,
            "units": case.units.all(),
            "standards": standards(case),
            "form": form,
            "conflict": conflict,
            "may_edit": may_edit,
            "may_approve": may_edit and parent_ok,
            "reason_form": ReasonForm(initial={"version": case.version}),
            "history": case.history.all(),
            "transfer_in": _transfer_in_offer(request, case),
        },
        status=400 if conflict or (form is not None and form.errors) else 200,
    )


def _transfer_in_offer(request, case, day=None):
    """Once the case is approved, for those who keep the new party organization (its secretary,
    the federation's officers): the members employed in the covered units whose 组织关系 is
    held elsewhere in the system, offered to transfer in (``transfer_queries.transfer_in_offer``),
    as of today (or the day it is established, if later). None for everyone else."""
    party_org = case.party_organization
    if case.status != FormationCase.Status.APPROVED or party_org is None:
        return None
    if not scope.dues_branches(request.user, Action.EDIT).filter(pk=party_org.pk).exists():
        return None
    day = day or max(timezone.localdate(), party_org.valid_from)
    offered = (
        transfer_queries.transfer_in_offer(party_org, case.units.all(), day)
        .filter(pk__in=scope.members(request.user).values("pk"))
        .select_related("relation_party_organization")
    )
    named = set(scope.party_organizations(request.user).values_list("pk", flat=True))
    return {
        "day": day,
        "members": [
            (
                m,
                m.relation_party_organization.name
                if m.relation_party_organization_id in named
                else _("a party organization of another federation"),
            )
            for m in offered
        ],
    }


@require_POST
@login_required
def formation_transfer_in(request, pk):
    """The one step after approval: one transfer each into the new party organization for the
    members ticked (``transfer_services.transfer_in_many``); each relation moves when the new
    organization accepts its transfer, and until then the sending branch keeps the member."""
    case = scope.get(request.user, CASES, pk)
    offer = _transfer_in_offer(request, case)
    if offer is None:
        raise Http404
    chosen = {int(v) for v in request.POST.getlist("member") if v.isdigit()}
    members = [m for m, _name in offer["members"] if m.pk in chosen]
    if not members:
        messages.error(request, _("Tick at least one member to transfer in."))
        return redirect("applications:formation_detail", pk=pk)
    try:
        done = transfer_services.transfer_in_many(
            members,
            to=case.party_organization,
            issued_on=offer["day"],
            reason=_("Formation of %(name)s") % {"name": case.party_organization.name},
            actor=request.user,
        )
    except (ValidationError, services.WorkflowError) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text)
        return redirect("applications:formation_detail", pk=pk)
    messages.success(
        request,
        _(
            "%(count)d transfers issued into %(name)s: each relation moves when it accepts the "
            "transfer (on the transfers page)."
        )
        % {"count": len(done), "name": case.party_organization.name},
    )
    return redirect("applications:formation_detail", pk=pk)


@require_POST
@requires(Action.APPROVE)
def formation_step(request, pk, step):
    case = _case(request, pk, Action.APPROVE)
    form = ReasonForm(request.POST) if step in ("return", "cancel") else VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please give a reason."))
        return redirect("applications:formation_detail", pk=pk)
    data = form.cleaned_data
    try:
        if step == "submit":
            services.submit_formation_case(case, version=data["version"], actor=request.user)
            messages.success(request, _("Submitted to the higher party organization."))
        elif step == "approve":
            if (
                not scope.party_organizations(request.user, Action.APPROVE)
                .filter(pk=case.parent_id)
                .exists()
            ):
                messages.error(request, _("Only the higher party organization can approve."))
                return redirect("applications:formation_detail", pk=pk)
            party_org = services.approve_formation_case(
                case, version=data["version"], actor=request.user
            )
            messages.success(request, _("Approved: %(name)s is formed.") % {"name": party_org})
        elif step == "return":
            services.return_formation_case(
                case, version=data["version"], reason=data["reason"], actor=request.user
            )
            messages.success(request, _("Returned for more evidence."))
        elif step == "cancel":
            services.cancel_formation_case(
                case, version=data["version"], reason=data["reason"], actor=request.user
            )
            messages.success(request, _("Case cancelled."))
    except services.WorkflowError as exc:
        messages.error(request, str(exc))
    return redirect("applications:formation_detail", pk=pk)


@login_required
def formation_file(request, pk):
    case = _case(request, pk)
    if not case.approval_file_id:
        raise Http404
    return serve_file(request, case.approval_file, case)
