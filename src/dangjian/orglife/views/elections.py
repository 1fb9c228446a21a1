"""Recording an election (换届 / 补选) held at a general meeting. Thin: the one door gives the
party organization and the people, ``orglife.services.record_election`` writes the meeting, the
votes and — when the election is valid — the term history and the posts."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.access import scope
from dangjian.access.decorators import requires
from dangjian.access.models import Action
from dangjian.orglife import services
from dangjian.orglife.forms import ElectionForm
from dangjian.orglife.views.meetings import _errors
from dangjian.party import queries as party_queries
from dangjian.party.models import Election


@requires(Action.EDIT)
def election_record(request):
    kept = scope.meeting_party_organizations(request.user).filter(valid_to__isnull=True)
    chosen = request.POST.get("org") or request.GET.get("org", "")
    org = (kept.filter(pk=chosen) if chosen.isdigit() else kept.order_by("name")).first()
    if org is None:
        raise Http404
    today = timezone.localdate()
    voters = party_queries.voting_members(org, on=today)
    people = scope.members(request.user, Action.EDIT).filter(pk__in=voters.values("pk"))
    form = ElectionForm(
        request.POST or None,
        initial={
            "held_on": today,
            "kind": Election.Kind.GENERAL,
            "voters_expected": voters.count(),
        },
        people=people.order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = services.record_election(
                org,
                held_on=data["held_on"],
                kind=data["kind"],
                term_years=data.get("term_years"),
                voters_expected=data["voters_expected"],
                voters_present=data["voters_present"],
                candidates=form.candidates(),
                meeting_values={
                    k: data[k] for k in ("starts_at", "ends_at", "place") if data.get(k)
                },
                actor=request.user,
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            if record.valid:
                messages.success(request, _("The election was recorded."))
            else:
                messages.warning(request, _("The election was recorded as not valid."))
            return redirect("orglife:meeting_detail", pk=record.meeting_id)
    return render(request, "orglife/election_record.html", {"form": form, "org": org})
