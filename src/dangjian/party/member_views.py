"""The member roster (党员名册), a member's own page, revealing the ID number (logged),
data-subject export and erasure, and the members recorded twice."""

import datetime
import io
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Min, OuterRef, Q, Subquery
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.access import invitations, lists, scope
from dangjian.access.models import Action
from dangjian.core import exports
from dangjian.core.audit import record_read
from dangjian.core.events import AuditEvent
from dangjian.core.filters import params
from dangjian.core.http import attach
from dangjian.core.models import valid_on_q
from dangjian.core.pagination import KeysetPage
from dangjian.party import services, timeline
from dangjian.party.filters import MemberFilter
from dangjian.party.lists import MEMBERS
from dangjian.party.models import Employment, PartyMember, Position, RelationPeriod


@login_required
def member_list(request):
    """The members in the viewer's scope, a page at a time, with its filters and an .xlsx
    export (ID numbers masked in both)."""
    action = lists.scope_action(request)
    # The jobs the viewer may see: a member known to two federations shows each only its own
    # units (as on the member's page).
    jobs = scope.filter_by_organization(
        Employment.objects.all(), request.user, action, personal=True
    )
    today_unit = (
        jobs.filter(valid_on_q(timezone.localdate()), member=OuterRef("pk"))
        .order_by("-valid_from", "-pk")
        .values("organization__name")[:1]
    )
    members = (
        scope.members_to_list(request.user, action)
        .select_related("relation_party_organization")
        .annotate(unit_name=Subquery(today_unit))
    )
    filters = MemberFilter(params(request), members, employments=jobs)
    if lists.wants_xlsx(request) and not filters.errors:
        return MEMBERS.export(request, filters.qs, filters=filters.describe())
    context = MEMBERS.context(request, filters.qs)
    searched = filters.name_searched()
    if searched and not context["page"].rows:
        context["table"].empty = _("No member's name begins with “%(name)s”.") % {"name": searched}
    return render(request, "party/member_list.html", {**context, "filters": filters.form})


@login_required
def member_detail(request, pk: int):
    member, rights = scope.get_with_rights(
        request.user, PartyMember.objects.select_related("relation_party_organization"), pk
    )
    personal = Action.VIEW_PERSONAL in rights
    may_invite = Action.EDIT in rights and invitations.may_invite(request.user, member)
    context = {
        "member": member,
        "can_invite": may_invite and not member.left_on and not member.anonymised_at,
        "has_sign_in": may_invite and invitations.has_account(member),
        **_jobs_and_posts(request.user, member, Action.VIEW),
        "can_view_personal": personal,
        "can_erase": personal and Action.EDIT in rights,
    }
    return render(request, "party/member_detail.html", context)


def _jobs_and_posts(user, member, action):
    """The member's jobs and party posts, each only where the user's scope reaches: a member
    known to two federations must not show one federation's units to the other."""
    return {
        "employments": scope.visible(Employment, user, action)
        .filter(member=member)
        .select_related("organization"),
        "positions": scope.visible(Position, user, action)
        .filter(member=member)
        .select_related("party_organization"),
        # The member's own relation history (seen with the member).
        "relations": scope.visible(RelationPeriod, user, action)
        .filter(member=member)
        .select_related("party_organization")
        .order_by("-valid_from"),
    }


@login_required
@require_POST
def reveal_id_number(request, pk: int):
    member = scope.get_visible_or_404(scope.members(request.user, Action.VIEW_PERSONAL), pk=pk)
    record_read(request.user, AuditEvent.MEMBER_ID_NUMBER_REVEALED, member)
    return render(request, "party/_revealed.html", {"member": member})


@login_required
def member_export(request, pk: int):
    """What the ledger holds about one member, for the member (data-subject request), as far
    as the exporter's scope reaches (jobs and posts elsewhere are another federation's to give)."""
    member = scope.get_visible_or_404(scope.members(request.user, Action.VIEW_PERSONAL), pk=pk)
    record_read(request.user, AuditEvent.MEMBER_EXPORTED_FOR_SUBJECT, member)
    rows = _jobs_and_posts(request.user, member, Action.VIEW_PERSONAL)
    data = {
        "姓名": member.name,
        "性别": member.get_gender_display(),
        "民族": member.ethnicity,
        "出生日期": str(member.birth_date or ""),
        "身份证号码": member.id_number,
        "手机号码": member.phone,
        "学历": member.get_education_display(),
        "入党日期": str(member.joined_party_on),
        "转正日期": str(member.full_member_on or ""),
        "组织关系所在": str(member.relation_party_organization or member.relation_external or ""),
        "组织关系历史": [
            {"所在": r.holder_name, "起始": str(r.valid_from), "终止": str(r.valid_to or "")}
            for r in rows["relations"]
        ],
        "从业记录": [
            {"单位": e.organization.name, "起始": str(e.valid_from), "终止": str(e.valid_to or "")}
            for e in rows["employments"]
        ],
        "党内职务": [
            {
                "党组织": p.party_organization.name,
                "职务": p.get_role_display(),
                "起始": str(p.valid_from),
                "终止": str(p.valid_to or ""),
            }
            for p in rows["positions"]
        ],
    }
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="member-{member.pk}.json"'
    return response


@login_required
@require_POST
def member_anonymise(request, pk: int):
    visible = scope.members(request.user, Action.VIEW_PERSONAL) & scope.members(
        request.user, Action.EDIT
    )
    member = scope.get_visible_or_404(visible, pk=pk)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the confirmation box to anonymise this member."))
        return redirect("party:member_detail", pk=pk)
    services.anonymise_member(member, actor=request.user)
    messages.success(request, _("The member's personal data has been erased."))
    return redirect("party:member_detail", pk=pk)


# Groups of duplicates on a page: a group is one person's two (or more) ledger entries.
DUPLICATE_GROUPS_PER_PAGE = 25


@login_required
def duplicate_members(request):
    """The same ID number in more than one ledger entry: one person counted twice. A page of
    groups at a time, in the order of each group's first entry (``after``: the last group's
    first member id), so that a ledger of a million members never loads every duplicate."""
    visible = scope.members_to_list(
        request.user, Action.VIEW_PERSONAL, among=Q(id_number_shared=True)
    )
    # The numbers the viewer sees twice, among the entries flagged as sharing their number
    # (a partial index holds only those): a duplicate half of which is another federation's is
    # not shown, nor a flag whose twin has since gone.
    groups = (
        visible.filter(id_number_shared=True)
        .exclude(id_number_hash="")
        .values("id_number_hash")
        .annotate(n=Count("id"), first=Min("id"))
        .filter(n__gt=1)
    )
    try:
        after = int(request.GET.get("after", ""))
    except ValueError:
        after = None
    if after is not None:
        groups = groups.filter(first__gt=after)
    page = list(groups.order_by("first")[: DUPLICATE_GROUPS_PER_PAGE + 1])
    more = len(page) > DUPLICATE_GROUPS_PER_PAGE
    page = page[:DUPLICATE_GROUPS_PER_PAGE]
    order = {g["id_number_hash"]: i for i, g in enumerate(page)}
    rows = sorted(
        visible.filter(id_number_hash__in=list(order)).prefetch_related(
            "employments__organization"
        ),
        key=lambda m: (order[m.id_number_hash], m.pk),
    )
    context = {
        "rows": rows,
        "page": KeysetPage(
            rows=rows,
            next_cursor=str(page[-1]["first"]) if more else None,
            is_first=after is None,
        ),
    }
    return render(request, "party/duplicate_members.html", context)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _as_of(request) -> datetime.date:
    today = timezone.localdate()
    try:
        day = datetime.date.fromisoformat(request.GET.get("on", ""))
    except ValueError:
        return today
    return min(day, today)


@login_required
def member_file(request, pk: int):
    """The member's file (一人一档): one timeline of their life in the system as of a day, from
    every app that registered its part (``party.timeline``); downloadable as .xlsx by whoever
    sees the member's personal data, the member included (PIPL's right of access)."""
    member = scope.get_visible_or_404(scope.members(request.user, Action.VIEW_PERSONAL), pk=pk)
    on = _as_of(request)
    entries = timeline.entries(member, as_of=on)
    if request.GET.get("export") == "xlsx":
        record_read(request.user, AuditEvent.MEMBER_EXPORTED_FOR_SUBJECT, member, file=str(on))
        headers = [_("date"), _("topic"), _("what happened")]
        rows = [[e.day, str(e.topic), e.text] for e in entries]
        title = f"{member.name}-{_('member file')}"
        notes = [_("As of: %(day)s") % {"day": on.isoformat()}]
        book = exports.workbook(
            title, [str(h) for h in headers], rows, widths=[12, 14, 80], notes=notes
        )
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
        return attach(response, f"{title}-{on:%Y%m%d}.xlsx", "member-file.xlsx")
    return render(
        request,
        "party/member_file.html",
        {"member": member, "entries": entries, "on": on, "today": timezone.localdate()},
    )
