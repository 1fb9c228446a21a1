"""Every list page and the heavy report pages at scale (issue 15 point 5: p95 < 100 ms server
time; the coverage page < 300 ms).

    nice -n 10 .venv/bin/python bench/pages_bench.py [--scale 20000] [--database-url URL]
        [--var DIR] [--reuse] [--runs 15] [--only TEXT] [--as secretary,liaison,instructor]

Builds (or reuses, --var) the bench database as bench/home_bench.py does, then fetches the
first page of EVERY registered ``ListSpec`` (``access.listspec.registry()``: a new list is
measured without being added here) as its baseline persona, plus the coverage page (its kept
figures, and counted again after a change to a coverage row before each request), the
units behind a figure, the findings worklist, the member roster (also searched by a full name,
a surname and by an ID number's last four, and filtered) and the member duplicates; then every
list and roster page again as each persona of ``--as`` (by default the small scopes: a branch
secretary, a unit's liaison, an instructor — whose few rows a list must not walk the whole
ledger to find — and the officer of a city's federation, between those and the province: see
``city_officer``), through Django's test client: one warm-up, then --runs timed requests
(median, p95) and one more that counts the queries. Prints JSON and a Markdown table.
"""

import argparse
import json
import logging
import os
import sys
import time
from urllib.parse import urlencode

sys.path.insert(0, os.path.dirname(__file__))

from home_bench import client_for, prepare, timed  # noqa: E402 (bench/ on the path first)


def queries_of(client, url, query):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, query)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured.captured_queries)


def pages(personas: list[str] | None = None):
    """(label, persona, URL, query) of every page measured; with ``personas``, every list and
    roster page again as each of them (labelled "… as <persona>")."""
    from django.urls import reverse

    from dangjian.access import listspec
    from dangjian.party.models import PartyMember
    from dangjian.registry.models import Federation

    found = []
    for key, spec in sorted(listspec.registry().items()):
        url = reverse(spec.url_name, args=spec.baseline_args() if spec.baseline_args else [])
        found.append((f"list {key}", spec.baseline_user, url, dict(spec.baseline_query)))
    federation = Federation.objects.get(short_name="津网联")
    member = PartyMember.objects.exclude(id_number="").order_by("pk").first()
    fed = {"federation": federation.pk}
    roster = reverse("party:member_list")
    found += [
        ("coverage page", "officer", reverse("rules:coverage"), fed),
        # The same page when a coverage table changed before each view: counted again.
        ("coverage page, counted after a change", "officer", reverse("rules:coverage"), fed),
        (
            "units behind: not covered (first page)",
            "officer",
            reverse("rules:coverage_units"),
            {**fed, "measure": "uncovered"},
        ),
        ("units behind: all units (first page)", "officer", reverse("rules:coverage_units"), fed),
        ("findings worklist", "officer", reverse("rules:finding_list"), {}),
        ("member roster: search a name", "officer", roster, {"q": member.name}),
        ("member roster: search a surname", "officer", roster, {"q": member.name[:1]}),
        ("member roster: search last four", "officer", roster, {"q": member.id_number[-4:]}),
        ("member roster: probationary", "officer", roster, {"status": "probationary"}),
        ("member roster: flowing", "officer", roster, {"situation": "flowing"}),
        ("member roster: lost contact", "officer", roster, {"situation": "lost"}),
        ("member duplicates", "officer", reverse("party:duplicate_members"), {}),
    ]
    # The same lists as the small scopes see them: a secretary's, a liaison's, an
    # instructor's rows are a few among a million, which a list must not walk to find.
    again = [
        row for row in found if row[0].startswith(("list ", "member roster", "member duplicates"))
    ]
    for persona in personas or []:
        found += [(f"{label} as {persona}", persona, url, q) for label, _, url, q in again]
    return found


CITY = "基准测试市网联"  # the city federation the benchmark adds below the province
CITY_OFFICER = "city_officer"
CITY_EVERY = 50  # every 50th unit of the province is also the city's: 2,000 at 100,000 units


def city_officer() -> str:
    """The officer of a city's federation below the province, holding every ``CITY_EVERY``th
    of its units (a second membership; no party organization of its own): a scope of some
    20,000 members at 10^6, too many to name and a few percent of those a walk reads. Added
    once to the bench database (a real federation, its memberships and an officer's grant);
    its username, for ``--as``."""
    import datetime

    from django.contrib.auth import get_user_model

    from dangjian.access.models import RoleAssignment, UserSecurity
    from dangjian.registry.models import Federation, Membership

    start = datetime.date(2020, 1, 1)
    province = Federation.objects.get(short_name="津网联")
    city, made = Federation.objects.get_or_create(
        name=CITY, defaults={"level": "city", "parent": province, "short_name": CITY}
    )
    if made:
        units = (
            Membership.objects.filter(federation=province)
            .order_by("organization_id")
            .values_list("organization_id", flat=True)
        )
        Membership.objects.bulk_create(
            Membership(federation=city, organization_id=unit, valid_from=start)
            for unit in list(units)[::CITY_EVERY]
        )
    user, made = get_user_model().objects.get_or_create(username=CITY_OFFICER)
    if made:
        user.set_unusable_password()
        user.save()
        UserSecurity.objects.filter(user=user).update(must_change_password=False)
        RoleAssignment.objects.create(
            user=user, role="federation_officer", federation=city, valid_from=start
        )
    return CITY_OFFICER


def coverage_changed():
    """A write to one coverage row (its values unchanged): the change counts move, so the
    coverage page's kept figures no longer hold (``rules.coverage.figures``)."""
    from django.db.models import F

    from dangjian.party.models import Coverage

    Coverage.objects.filter(pk=Coverage.objects.order_by("pk").values("pk")[:1]).update(
        valid_from=F("valid_from")
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--database-url")
    parser.add_argument("--var", help="reuse a var/ folder built by an earlier run")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="the database (--database-url, with --var's keys) already holds the built demo",
    )
    parser.add_argument(
        "--only", help="measure only pages whose label contains this (several: comma-separated)"
    )
    parser.add_argument(
        "--as",
        dest="personas",
        default="secretary,liaison,instructor,city",
        help="every list and roster page again as each of these personas (comma-separated; "
        "'' for none; 'city': a city federation's officer, added to the database by the "
        "first run); a page a persona may not open is left out",
    )
    args = parser.parse_args()
    build_seconds = prepare(
        args.scale, args.var, args.database_url, "dangjian-pages-bench-", args.reuse
    )
    if build_seconds:
        # A fresh build: the findings of a full run, so the worklist holds what a real one does.
        from django.core.management import call_command

        started = time.monotonic()
        call_command("evaluate")
        build_seconds += round(time.monotonic() - started)

    from django.conf import settings
    from django.urls import reverse

    from dangjian.party.models import PartyMember
    from dangjian.registry.models import Organization
    from dangjian.rules.models import Finding

    # A persona's probe of a page it may not open answers 404: expected, not worth a log line.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    load_before = os.getloadavg()[0]
    officer = client_for("officer")
    base_median, base_p95 = timed(officer, reverse("registry:organization_list"), args.runs)
    clients = {}
    rows = []
    personas = [city_officer() if p == "city" else p for p in args.personas.split(",") if p]
    for label, persona, url, query in pages(personas):
        if args.only and not any(part in label for part in args.only.split(",")):
            continue
        client = clients.setdefault(persona, client_for(persona))
        full = f"{url}?{urlencode(query)}" if query else url
        if " as " in label and client.get(full).status_code != 200:
            continue  # not a page this persona opens (another role's list)
        started = time.monotonic()
        before = coverage_changed if "after a change" in label else None
        median, p95 = timed(client, full, args.runs, before)
        rows.append(
            {
                "page": label,
                "persona": persona,
                "median_ms": median,
                "p95_ms": p95,
                "queries": queries_of(client, url, query),
                "seconds": round(time.monotonic() - started, 1),
            }
        )
        print(json.dumps(rows[-1], ensure_ascii=False), file=sys.stderr, flush=True)
    result = {
        "units": Organization.objects.count(),
        "members": PartyMember.objects.count(),
        "findings": Finding.objects.count(),
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "build_seconds": build_seconds,
        "runs": args.runs,
        "load": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "baseline": {
            "page": "unit list, first page (officer)",
            "median_ms": base_median,
            "p95_ms": base_p95,
        },
        "pages": rows,
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    print("| page | persona | median ms | p95 ms | queries |")
    print("|---|---|---:|---:|---:|")
    print(f"| unit list, first page (baseline) | officer | {base_median} | {base_p95} | |")
    for row in rows:
        print(
            f"| {row['page']} | {row['persona']} | {row['median_ms']} | {row['p95_ms']} | "
            f"{row['queries']} |"
        )


if __name__ == "__main__":
    main()
