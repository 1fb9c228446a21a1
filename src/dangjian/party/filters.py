"""The filters of the party app's lists: party organizations and the member roster."""

import re

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core import crypto
from dangjian.core.collation import orders_by_code_point
from dangjian.core.filters import ALL, FilterSet
from dangjian.core.models import valid_on_q
from dangjian.core.validators import normalize_code
from dangjian.party.models import PartyOrganization
from dangjian.registry.models import Organization

# The tail a masked ID number shows, and a whole number (15 digits, or 17 and a check digit).
SUFFIX = re.compile(r"\d{3}[\dX]")
ID_NUMBER = re.compile(r"\d{15}|\d{17}[\dX]")

MEMBERSHIP = [
    ("full", _("full member")),
    ("probationary", _("probationary member")),
    ("left", _("left the ledger")),
]
SITUATION = [("flowing", _("flowing member")), ("lost", _("lost contact"))]
RELATION = [("in", _("held in the system")), ("out", _("held outside the system"))]

# Above every character a name holds: the names that begin with a term sort from the term up to
# the term followed by this, a range the roster's (name, id) index serves in its own order.
NAME_END = "\U0010ffff"


def name_begins_with(term: str) -> Q:
    """Names beginning with ``term`` (a surname, or a full name and any longer one), found
    through the (name, id) index: the range walks the index in the roster's order and stops
    after a page, where ``LIKE 'term%'`` is not served by that index on SQLite (its LIKE ignores
    case, the index does not) and ``LIKE '%term%'`` by no index at all. The range relies on
    code-point order (SQLite's BINARY collation, PostgreSQL's C and C.UTF-8); ``startswith``
    keeps the answer exact in any other order, and only there (``core.collation``)."""
    in_range = Q(name__gte=term, name__lt=term + NAME_END)
    return in_range if orders_by_code_point() else in_range & Q(name__startswith=term)


class PartyOrganizationFilter(FilterSet):
    q = django_filters.CharFilter(label=_("search"), method="search", max_length=100)
    kind = django_filters.ChoiceFilter(
        label=_("kind"), choices=PartyOrganization.Kind.choices, empty_label=ALL
    )
    formation_mode = django_filters.ChoiceFilter(
        label=_("formation mode"),
        choices=PartyOrganization.FormationMode.choices,
        empty_label=ALL,
    )
    status = django_filters.ChoiceFilter(
        label=_("status"), choices=PartyOrganization.Status.choices, empty_label=ALL
    )

    def search(self, qs, name, value):
        return qs.filter(name__contains=value.strip()) if value.strip() else qs


class MemberFilter(FilterSet):
    """The member roster's filters. A search of four characters is the tail a masked ID number
    shows (…002X), found through its blind index (``PartyMember.id_suffix_hash``); a whole ID
    number through the number's own; anything else is the beginning of a name — a surname or
    a full name, as an officer looks a member up — found through the name index (a part from
    the middle of a name would read every member's)."""

    q = django_filters.CharFilter(
        label=_("name or ID number (last four)"), method="search", max_length=50
    )
    branch = django_filters.CharFilter(
        label=_("party organization"), method="in_branch", max_length=100
    )
    unit = django_filters.CharFilter(label=_("unit"), method="in_unit", max_length=100)
    status = django_filters.ChoiceFilter(
        label=_("full or probationary"),
        choices=MEMBERSHIP,
        empty_label=_("still in the ledger"),
        method="of_status",
    )
    situation = django_filters.ChoiceFilter(
        label=_("situation"), choices=SITUATION, empty_label=ALL, method="in_situation"
    )
    relation = django_filters.ChoiceFilter(
        label=_("organizational relation"), choices=RELATION, empty_label=ALL, method="held"
    )

    # An empty membership filter still means something: members who left are not listed.
    defaults = {"status": _("still in the ledger")}

    def __init__(self, data=None, queryset=None, *, employments=None, **kwargs):
        # ``employments``: the jobs the viewer may see (a unit is searched only among them).
        super().__init__(data, queryset, **kwargs)
        self.employments = employments

    def filter_queryset(self, queryset):
        if self.form.is_valid() and not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(left_on__isnull=True)
        return super().filter_queryset(queryset)

    def search(self, qs, name, value):
        # A tail copied from a masked number may keep its asterisks ("****002X").
        term = normalize_code(value).lstrip("*")
        if not term:
            return qs
        if SUFFIX.fullmatch(term):
            return qs.filter(id_suffix_hash=crypto.suffix_index(term))
        if ID_NUMBER.fullmatch(term):
            return qs.filter(id_number_hash=crypto.blind_index(term))
        return qs.filter(name_begins_with(value.strip()))

    def name_searched(self) -> str:
        """The beginning of a name searched for ("" when the search is none, or an ID number)."""
        if not self.form.is_valid():
            return ""
        value = self.form.cleaned_data.get("q") or ""
        term = normalize_code(value).lstrip("*")
        if not term or SUFFIX.fullmatch(term) or ID_NUMBER.fullmatch(term):
            return ""
        return value.strip()

    def in_branch(self, qs, name, value):
        term = value.strip()
        if not term:
            return qs
        return qs.filter(
            relation_party_organization__in=PartyOrganization.objects.filter(
                name__contains=term
            ).values("pk")
        )

    def in_unit(self, qs, name, value):
        term = value.strip()
        if not term or self.employments is None:
            return qs
        jobs = self.employments.filter(
            valid_on_q(timezone.localdate()),
            member=OuterRef("pk"),
            organization__in=Organization.objects.filter(name__contains=term).values("pk"),
        )
        return qs.filter(Exists(jobs))

    def of_status(self, qs, name, value):
        if value == "full":
            return qs.filter(full_member_on__isnull=False, left_on__isnull=True)
        if value == "probationary":
            return qs.filter(full_member_on__isnull=True, left_on__isnull=True)
        return qs.filter(left_on__isnull=False)

    def in_situation(self, qs, name, value):
        return qs.filter(is_flowing=True) if value == "flowing" else qs.filter(is_lost_contact=True)

    def held(self, qs, name, value):
        if value == "in":
            return qs.filter(relation_party_organization__isnull=False)
        return qs.filter(relation_party_organization__isnull=True)
