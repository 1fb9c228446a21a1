"""Every URL pattern, for every persona with a narrow scope, with ids of objects outside it:
nothing outside the scope may be read, listed or changed.

The test enumerates the URL configuration itself, so a page added later without scoping fails
here. Views that are public on purpose are marked with ``dangjian.access.public.public``.

What must not appear is built from the one door: for every model registered with
``dangjian.access.scope``, the texts (names, titles, explanations) of its objects the persona may
not see (nor the public), so a new model is checked as soon as it has a rule
(tests/access/test_registry.py makes sure every model has one).
"""

import io
import re
import uuid

import docx
import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, UUIDConverter
from django.urls.resolvers import RoutePattern

from dangjian.access import scope
from dangjian.access.public import is_public
from dangjian.core.models import AuditLog
from dangjian.governance.models import UnitLeader
from dangjian.party.models import PartyMember, PartyOrganization
from dangjian.registry.models import Federation, Membership, Organization

pytestmark = pytest.mark.django_db

NARROW_PERSONAS = [
    "outsider",
    "liaison",
    "secretary",
    "instructor",
    "authority",
    "expert",
    "auditor",
    # A party member signed in: their own file and their branch's meetings, nothing else.
    "member",
    # A federation officer's scope is the Tianjin federation's subtree; the national federation
    # and the two other provinces of the case-collection demo are outside it (and the expert
    # pool, the campaign pages and every export are reached only with this role).
    "officer",
]
# Personas checked for reads only: an officer's empty POST to a one-button action (reissue a
# link, assign reviewers) rightly acts, so "an empty POST changes nothing" is not theirs.
READ_ONLY_PERSONAS = {"officer"}
SKIPPED_NAMESPACES = {"admin"}  # Django's admin: staff only, tested separately below
SKIPPED_NAMES = {"logout"}  # signing out changes the session, not data


def iter_patterns(patterns=None, namespace=None):
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if ns in SKIPPED_NAMESPACES:
                continue
            yield from iter_patterns(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            if entry.name not in SKIPPED_NAMES and not is_public(entry.callback):
                yield name, converters_of(entry.pattern)


class _Choice:
    """A regex group such as (?P<decision>approve|return|reject): its first alternative."""

    def __init__(self, value):
        self.value = value


def converters_of(pattern):
    if isinstance(pattern, RoutePattern):
        return pattern.converters
    converters = {}
    for key, body in re.findall(r"\(\?P<(\w+)>([^)]*)\)", pattern.regex.pattern):
        if body in (r"\d+", "[0-9]+"):
            converters[key] = IntConverter()
        else:
            converters[key] = _Choice(body.split("|")[0] if "|" in body else "x")
    return converters


def route_pattern_converters(name):
    for pattern_name, converters in iter_patterns():
        if pattern_name == name:
            return converters
    return {}


def candidate_ids(invisible_pks):
    """Ids of objects outside the scope, and the first ids, which every model of the demo has
    (for models this test does not know, an object outside a narrow scope is among them)."""
    hidden_first = list(dict.fromkeys(invisible_pks))
    return hidden_first + [pk for pk in (1, 2) if pk not in hidden_first]


def urls_for(name, converters, ids):
    if not converters:
        yield reverse(name)
        return
    values = ids if any(isinstance(c, IntConverter) for c in converters.values()) else [None]
    for value in values:
        kwargs = {}
        for key, converter in converters.items():
            if isinstance(converter, IntConverter):
                kwargs[key] = value
            elif isinstance(converter, UUIDConverter):
                kwargs[key] = uuid.uuid4()
            elif isinstance(converter, _Choice):
                kwargs[key] = converter.value
            else:  # a str/slug/path converter, or a custom one such as approve|return|reject
                regex = getattr(converter, "regex", "")
                kwargs[key] = regex.split("|")[0].strip("()") if "|" in regex else "x"
        yield reverse(name, kwargs=kwargs)


def context_names(user, orgs, party_orgs) -> set[str]:
    """Names a user may see beside their scope: the federations their units belong to (and those
    above them), and the party organizations above their own (a unit knows its higher
    organization). They are labels, not records: no page may open them."""
    names = set()
    paths = Membership.objects.filter(organization__in=orgs).values_list(
        "federation__path", flat=True
    )
    ids = {int(part) for path in paths for part in path.strip("/").split("/") if part}
    names |= set(Federation.objects.filter(pk__in=ids).values_list("name", flat=True))
    # A unit's leaders (会长, 秘书长 …) are registration facts, shown with the unit.
    names |= set(UnitLeader.objects.filter(organization__in=orgs).values_list("name", flat=True))
    # A party member knows the name of their own branch (its page is not theirs).
    names |= set(scope.member_branches(user).values_list("name", flat=True))
    party_orgs = party_orgs | scope.member_branches(user)
    frontier = set(party_orgs.values_list("parent_id", flat=True)) - {None}
    while frontier:
        rows = list(
            PartyOrganization.objects.filter(pk__in=frontier).values_list("name", "parent_id")
        )
        names |= {name for name, _ in rows}
        frontier = {parent for _, parent in rows if parent}
    return names


# What names an object on a page, per registered model: its __str__ where that is a name or a
# title; where the str is generic or composite ("org @ federation", "2024 R1"), the fields that
# are its own words; [] where nothing but the names of its subjects (checked with their own
# models) would identify it.
TEXTS = {
    "Finding": ["explanation"],
    "Letter": ["title", "doc_number"],
    "Recognition": ["title", "person_name"],
    "UnitLeader": ["name"],
    "MajorDecision": ["subject"],
    # Who chaired and recorded a meeting is shown with it; those present are shown by name to
    # the branch's members (the sign-in sheet), so an attendance row's text is its member.
    "Meeting": ["topic", "chair", "recorder"],
    "Attendance": ["member"],
    "Resolution": ["text"],
    "MeetingAttachment": ["original_name"],
    "RoleInvitation": [],
    "LedgerUpload": ["original_name"],
    "SubmissionImage": ["caption"],
    "SubmissionAttachment": ["original_name"],
    "Application": ["name"],
    "InstructorDossier": [],
    "Invitation": [],
    "Membership": [],
    "Coverage": [],
    "Employment": [],
    "Position": [],
    "InstructorAssignment": [],
    "Designation": [],
    "CharterRevision": [],
    "AnnualInspection": [],
    "GradeEvaluation": [],
    "GradingSettings": [],
    "Visit": [],
    "Review": [],
    "SubmissionFigure": [],
    "EvaluationRun": [],
    "RuleOverride": [],
    # Dues name no one but their member (checked with PartyMember) and their branch; the free
    # texts are their own words.
    "DuesBase": [],
    "DuesMonth": [],
    "DuesPayment": [],
    "DuesRelief": ["reason"],
    "ArrearsReason": ["reason"],
    "ArrearsStep": ["note"],
    "HandIn": [],
    "DuesPublication": [],
    # A receipt names its target (checked with its own model) under the notice's title; a
    # notification is its user's own message.
    "Receipt": [],
    "NoticeFile": ["original_name"],
}
# Objects read per model and persona: enough to hit every kind, few enough to stay fast.
SAMPLE = 300


def texts_of(model, obj) -> list[str]:
    fields = TEXTS.get(model.__name__)
    if fields is None:
        return [str(obj)]
    return [str(v) for v in (getattr(obj, f) for f in fields) if v]


def secrets_for(user):
    """Texts of objects the user must not see, from every model registered with the one door
    (minus those also inside a visible text), and the ids of some hidden objects."""
    visible, hidden, hidden_pks = set(), set(), set()
    orgs, party_orgs = scope.organizations(user), scope.party_organizations(user)
    for model in scope.registered_models():
        if TEXTS.get(model.__name__) == []:
            continue
        shown = set(scope.visible(model, user).values_list("pk", flat=True))
        shown |= set(scope.public(model).values_list("pk", flat=True))
        everything = model._default_manager.order_by("pk")
        if model not in FULL_MODELS:
            # Hidden and visible objects alike, spread over the whole table.
            total = everything.count()
            step = max(1, total // SAMPLE)
            pks = list(everything.values_list("pk", flat=True))[::step]
            rows = everything.filter(pk__in=pks)
        else:
            rows = everything
        for obj in rows:
            texts = texts_of(model, obj)
            if obj.pk in shown:
                visible.update(texts)
            else:
                hidden.update(texts)
                if model in FULL_MODELS:
                    hidden_pks.add(obj.pk)
        # Everything visible counts, sampled or not: a shared name is not a leak.
        if model not in FULL_MODELS:
            for obj in model._default_manager.filter(pk__in=shown):
                visible.update(texts_of(model, obj))
    visible |= context_names(user, orgs, party_orgs)
    hidden = {h for h in hidden - visible if not any(h in v for v in visible) and len(h) >= 2}
    return hidden, hidden_pks


# The four models whose every object is checked (and whose hidden ids the URLs are tried with).
FULL_MODELS = {Organization, PartyOrganization, PartyMember, Federation}


def readable_text(body: bytes, content_type: str) -> str:
    """What a person reads in a response: a workbook's cells (an .xlsx is a deflated zip, so
    its bytes never contain a name), a Word file's text, or the page itself."""
    if "spreadsheetml" in content_type:
        workbook = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            str(value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    if "wordprocessingml" in content_type:
        document = docx.Document(io.BytesIO(body))
        return "\n".join(p.text for p in document.paragraphs) + "\n".join(
            cell.text for table in document.tables for row in table.rows for cell in row.cells
        )
    return body.decode("utf-8", "replace")


@pytest.mark.parametrize("persona", NARROW_PERSONAS)
def test_no_page_reveals_anything_outside_the_scope(demo_federation, persona):
    user = get_user_model().objects.get(username=persona)
    hidden, hidden_pks = secrets_for(user)
    assert hidden
    # A sample of hidden ids per model keeps the run short but hits every kind of object.
    ids = candidate_ids(sorted(hidden_pks)[:2])
    client = Client(raise_request_exception=False)  # a crash is reported with the others
    client.force_login(user)
    audit_before = AuditLog.objects.exclude(action=AuditLog.Action.READ).count()
    problems = []
    for name, converters in iter_patterns():
        if persona == "auditor" and name.startswith("access:"):
            continue  # the audit trail names every object on purpose: that is the auditor's job
        for index, url in enumerate(urls_for(name, converters, ids)):
            # Reads with every candidate id; writes with the first (an empty POST reaches the
            # same scoping code whatever the id).
            # Every list page also answers ?export=xlsx with its rows as a workbook.
            requests = [("get", url), ("post", url), ("get", f"{url}?export=xlsx")]
            if persona in READ_ONLY_PERSONAS:
                requests.remove(("post", url))
            for method, address in requests if index == 0 else [("get", url)]:
                response = getattr(client, method)(address)
                if response.status_code >= 500:
                    problems.append(f"{method.upper()} {address}: {response.status_code}")
                    continue
                if response.status_code != 200 or response.get("Content-Type", "").startswith(
                    "image/"
                ):
                    continue
                body = (
                    b"".join(response.streaming_content) if response.streaming else response.content
                )
                text = readable_text(body, response.get("Content-Type", ""))
                leaked = sorted(h for h in hidden if h in text)
                if leaked:
                    problems.append(f"{method.upper()} {address} shows {leaked[:3]}")
    # Reads (an ID number shown to someone allowed to see it) are logged but are not writes.
    writes = AuditLog.objects.exclude(action=AuditLog.Action.READ).count() - audit_before
    assert problems == [], "\n".join(problems)
    # Empty POSTs to every URL changed nothing (every write leaves an audit record).
    assert writes == 0, list(
        AuditLog.objects.exclude(action=AuditLog.Action.READ)
        .order_by("-id")[:writes]
        .values("action", "event_type", "object_type", "changes")
    )


@pytest.mark.parametrize("persona", ["officer", "liaison", "outsider"])
def test_admin_site_is_closed_to_non_staff(persona_client, persona):
    response = persona_client(persona).get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
