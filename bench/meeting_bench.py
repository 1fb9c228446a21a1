"""Recording a meeting with 50 attendees (issue 12: < 100 ms server time at scale).

    nice .venv/bin/python bench/meeting_bench.py [--scale 20000] [--var DIR] [--runs 20]

On the demo plus N synthetic units (built, or reused from --var, by ``home_bench.prepare``),
takes the party organization with the most members holding their relation there, and times,
each in a transaction rolled back afterwards so every run starts from the same data:

* ``service``: ``orglife.services.plan_meeting`` then ``record_held`` with the minutes (the
  demo's generator, ~400 characters, signed for the near-duplicate rule on the way) and a mark
  for each of 50 expected members (present; the others absent on leave) — what the record
  page does after its form is valid;
* ``page``: the record page's POST (``orglife:meeting_record``) through Django's test client,
  as the admin persona: scope, the form over every expected member, the service, the redirect.

Median and p95 of --runs, the load before and after, as JSON.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

from home_bench import prepare  # noqa: E402

ATTENDEES = 50


def summary(times: list[float]) -> dict:
    times = sorted(times)
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return {"median_ms": round(statistics.median(times), 1), "p95_ms": round(p95, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database-url")
    parser.add_argument("--var", help="reuse a var/ folder built by an earlier run")
    args = parser.parse_args()
    build_seconds = prepare(args.scale, args.var, args.database_url, "dangjian-meeting-bench-")

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse

    from dangjian.demo import minutes_text
    from dangjian.orglife import services
    from dangjian.orglife.models import Attendance, Meeting
    from dangjian.orglife.queries import expected_attendees
    from dangjian.party.models import PartyOrganization
    from dangjian.registry.models import Organization

    org = (
        PartyOrganization.objects.filter(valid_to__isnull=True)
        .annotate(n=Count("relation_members"))
        .order_by("-n", "pk")
        .first()
    )
    assert org is not None
    rng = random.Random(12)
    day = datetime.date.today() - datetime.timedelta(days=1)
    plan = {
        "kind": Meeting.Kind.THEME_DAY,
        "held_on": day,
        "starts_at": datetime.time(9, 0),
        "ends_at": datetime.time(11, 0),
        "place": "党员活动室",
        "topic": "主题党日",
    }

    def marks_for(meeting):
        expected = expected_attendees(meeting)
        return expected, {
            e.member.pk: (
                {"status": Attendance.Status.PRESENT}
                if i < ATTENDEES
                else {"status": Attendance.Status.ABSENT, "reason": Attendance.Reason.PERSONAL}
            )
            for i, e in enumerate(expected)
        }

    class Rollback(Exception):
        pass

    service_times, expected_n = [], 0
    for _ in range(args.runs + 1):  # the first warms per-process caches (the rulebook)
        minutes = minutes_text.compose(rng, org=org.name, kind="theme_day", day=day, expected=50)
        try:
            with transaction.atomic():
                started = time.perf_counter()
                meeting = services.plan_meeting(org, plan, actor=None)
                expected, marks = marks_for(meeting)
                services.record_held(
                    meeting,
                    {
                        "minutes": minutes,
                        "chair": expected[0].member,
                        "recorder": expected[1].member,
                    },
                    version=meeting.version,
                    marks=marks,
                    actor=None,
                )
                service_times.append((time.perf_counter() - started) * 1000)
                expected_n = len(expected)
                raise Rollback
        except Rollback:
            pass
    service_times = service_times[1:]

    client = Client()
    client.force_login(get_user_model().objects.get(username="admin"))
    page_times, page_status = [], None
    for _ in range(args.runs + 1):
        minutes = minutes_text.compose(rng, org=org.name, kind="theme_day", day=day, expected=50)
        try:
            with transaction.atomic():
                meeting = services.plan_meeting(org, plan, actor=None)
                expected, marks = marks_for(meeting)
                data = {
                    "version": meeting.version,
                    "place": plan["place"],
                    "topic": plan["topic"],
                    "starts_at": "09:00",
                    "ends_at": "11:00",
                    "minutes": minutes,
                    "chair": expected[0].member.pk,
                    "recorder": expected[1].member.pk,
                }
                for pk, mark in marks.items():
                    data[f"status_{pk}"] = mark["status"]
                    data[f"reason_{pk}"] = mark.get("reason", "")
                url = reverse("orglife:meeting_record", args=[meeting.pk])
                started = time.perf_counter()
                response = client.post(url, data)
                page_times.append((time.perf_counter() - started) * 1000)
                page_status = response.status_code
                if page_status != 302 and response.context:  # say why the form refused
                    print(response.context["form"].errors.as_json(), file=sys.stderr)
                raise Rollback
        except Rollback:
            pass
    page_times = page_times[1:]

    result = {
        "units": Organization.objects.count(),
        "meetings": Meeting.objects.count(),
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "build_seconds": build_seconds,
        "party_organization": org.name,
        "expected_attendees": expected_n,
        "present": min(ATTENDEES, expected_n),
        "runs": args.runs,
        "load": os.getloadavg(),
        "service": summary(service_times),
        "page_post": {**summary(page_times), "status": page_status},
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
