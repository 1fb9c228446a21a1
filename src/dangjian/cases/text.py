"""Case text: sanitising what submitters typed, counting words, hiding names from reviewers."""

from __future__ import annotations

import html
import re

from django.utils.safestring import SafeString, mark_safe

# The sanitiser is core's (one for case sections and meeting minutes); used here as text.*.
from dangjian.core.richtext import TAG as _TAG
from dangjian.core.richtext import plain_text, sanitise

REDACTED = "〔名称已隐去〕"
_NOT_COUNTED = re.compile(r"[\s\u3000，。、；：？！“”‘’（）《》〈〉【】…—,.;:?!\"'()\[\]<>-]+")


def word_count(raw: str) -> int:
    """Characters that count towards a Chinese word limit: no tags, spaces or punctuation."""
    return len(_NOT_COUNTED.sub("", plain_text(raw)))


# A place prefix that a short form drops or shortens: 天津市互联网协会 → 天津互联网协会, 互联网协会.
_PLACE = re.compile(r"^(.{2,4}?)(省|市|自治区|特别行政区|区|县)(.{4,})$")


def short_forms(name: str) -> set[str]:
    """The forms a unit's name is commonly shortened to in running text: without the place's
    "市/省…" suffix, and without the place at all (when what remains is still specific)."""
    match = _PLACE.match(name or "")
    if not match:
        return set()
    place, _suffix, rest = match.groups()
    # A remainder as short as 行业协会 would hide common words rather than a name.
    return {place + rest, rest} if len(rest) >= 5 else {place + rest}


def _people(user) -> set[str]:
    # Chinese names are written family name first, without a space; Django's get_full_name()
    # puts the given name first with one.
    return {user.get_full_name(), f"{user.last_name}{user.first_name}"}


def redaction_names(submission, limit: int = 5000) -> list[str]:
    """Every name that would tell a reviewer who wrote the case, longest first: the submitting
    unit or federation (full name, short names, credit code), the federations it belongs to, the
    ledger names around it (member units and party organizations of the submitting federation's
    subtree; the party organizations covering the submitting unit), and the people: the author,
    the units' contact persons, the party organizations' office holders and the instructors sent
    to the units."""
    from dangjian.party.models import InstructorAssignment, PartyOrganization, Position
    from dangjian.registry.models import Federation, Organization

    names: set[str] = set()
    if submission.federation_id:
        feds = Federation.objects.filter(path__startswith=submission.federation.path)
        orgs = Organization.objects.filter(memberships__federation__in=feds)
        party = PartyOrganization.objects.filter(federation__in=feds)
    else:
        feds = Federation.objects.filter(memberships__organization=submission.organization_id)
        orgs = Organization.objects.filter(pk=submission.organization_id)
        party = PartyOrganization.objects.filter(coverages__organization=submission.organization_id)
    for name, short, uscc in feds.values_list("name", "short_name", "uscc")[:limit]:
        names |= {name, short, uscc}
    for name, uscc, contact in orgs.values_list("name", "uscc", "contact_name")[:limit]:
        names |= {name, uscc, contact} | short_forms(name)
    names |= set(party.values_list("name", flat=True)[:limit])
    names |= set(
        Position.objects.filter(party_organization__in=party).values_list(
            "member__name", flat=True
        )[:limit]
    )
    names |= set(
        InstructorAssignment.objects.filter(organization__in=orgs).values_list(
            "instructor__name", flat=True
        )[:limit]
    )
    if submission.created_by_id:
        names |= _people(submission.created_by)
    return sorted((n for n in names if n and len(n) >= 2), key=len, reverse=True)


def redact(text: str, names: list[str]) -> str:
    """Replace each name with a neutral marker; sanitised HTML (a SafeString) stays safe."""
    safe = isinstance(text, SafeString)
    for name in names:
        # In HTML a name appears escaped; matching only that form never cuts into markup.
        text = text.replace(html.escape(name, quote=False) if safe else name, REDACTED)
    return mark_safe(text) if safe else text  # noqa: S308


_BLOCK_END = re.compile(r"</(p|li|h3|h4|blockquote)>|<br\s*/?>", re.IGNORECASE)


def plain_paragraphs(raw: str) -> list[str]:
    """The sanitised text as plain paragraphs (for the Word file)."""
    marked = _BLOCK_END.sub("\n", str(sanitise(raw)))
    return [
        line.strip() for line in html.unescape(_TAG.sub("", marked)).splitlines() if line.strip()
    ]
