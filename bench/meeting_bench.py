"""Recording a meeting with 50 attendees (issue 12: < 100 ms server time at scale).

    nice .venv/bin/python bench/meeting_bench.py [--scale 20000] [--var DIR] [--runs 20]

On the demo plus N synthetic units (built, or reused from --var, by ``home_bench.prepare``),
takes the party organization with the most members holding their relation there, and times,
each in a transaction rolled back afterwards so every run starts from the same data:

* ``service``: ``orglife.services.plan_meeting`` then ``record_held`` with the minutes (the
  demo's generator, ~400 characters, signed for the near-duplicate rule on the way) and a mark
  for each of 50 expected members (present; the others absent on leave) — what the record
  page does after its form is valid; ``record_held`` alone is timed too;
* ``page``: the record page's POST (``orglife:meeting_record``) through Django's test client,
  as the admin persona: scope, the form over every expected member, the service, the redirect.

Median and p95 of --runs (wall clock, and the process's CPU time: on a shared, loaded machine
a niced process waits for a core most of its wall time, which its CPU time leaves out), the
load before and after, as JSON; and the number of queries of one more run of each (not timed:
counting them slows the queries down).
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


def summary(times: list[float], cpu: list[float] | None = None) -> dict:
    def p95(values):
        values = sorted(values)
        return values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]

    result = {"median_ms": round(statistics.median(times), 1), "p95_ms": round(p95(times), 1)}
    if cpu:
        result["cpu_median_ms"] = round(statistics.median(cpu), 1)
        result["cpu_p95_ms"] = round(p95(cpu), 1)
    return result


class Clock:
    """Wall clock and this process's CPU time, in ms since ``start``."""

    def __init__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def since(self):
        return (
            (time.perf_counter() - self.wall) * 1000,
            (time.process_time() - self.cpu) * 1000,
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database-url")
    parser.add_argument("--var", help="reuse a var/ folder built by an earlier run")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="the database at --database-url already holds the demo built with --var's keys",
    )
    parser.add_argument(
        "--default-gc",
        action="store_true",
        help="keep CPython's collector settings instead of the web worker's (dangjian.wsgi)",
    )
    args = parser.parse_args()
    build_seconds = prepare(
        args.scale, args.var, args.database_url, "dangjian-meeting-bench-", reuse=args.reuse
    )
    if not args.default_gc:
        # Server time as a worker serves it: the collector tuned as dangjian.wsgi tunes it.
        from dangjian.core.collector import tune_for_requests

        tune_for_requests()

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
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

    service_times, held_times, expected_n, queries = [], [], 0, {}
    service_cpu, held_cpu, page_cpu = [], [], []
    for run in range(args.runs + 2):  # the first warms per-process caches (the rulebook)
        minutes = minutes_text.compose(rng, org=org.name, kind="theme_day", day=day, expected=50)
        counting = CaptureQueriesContext(connection)
        try:
            with transaction.atomic():
                if run == args.runs + 1:  # the last: counted, not timed
                    counting.__enter__()
                started = Clock()
                meeting = services.plan_meeting(org, plan, actor=None)
                expected, marks = marks_for(meeting)
                held = Clock()
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
                wall, cpu = started.since()
                service_times.append(wall)
                service_cpu.append(cpu)
                wall, cpu = held.since()
                held_times.append(wall)
                held_cpu.append(cpu)
                expected_n = len(expected)
                raise Rollback
        except Rollback:
            pass
        if run == args.runs + 1:
            counting.__exit__(None, None, None)
            queries["service"] = len(counting.captured_queries)
    service_times, held_times = service_times[1:-1], held_times[1:-1]
    service_cpu, held_cpu = service_cpu[1:-1], held_cpu[1:-1]

    client = Client()
    client.force_login(get_user_model().objects.get(username="admin"))
    page_times, page_status = [], None
    for run in range(args.runs + 2):
        counting = CaptureQueriesContext(connection)
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
                if run == args.runs + 1:
                    counting.__enter__()
                started = Clock()
                response = client.post(url, data)
                wall, cpu = started.since()
                page_times.append(wall)
                page_cpu.append(cpu)
                if run == args.runs + 1:
                    counting.__exit__(None, None, None)
                    queries["page_post"] = len(counting.captured_queries)
                page_status = response.status_code
                if page_status != 302 and response.context:  # say why the form refused
                    print(response.context["form"].errors.as_json(), file=sys.stderr)
                raise Rollback
        except Rollback:
            pass
    page_times, page_cpu = page_times[1:-1], page_cpu[1:-1]

    result = {
        "units": Organization.objects.count(),
        "meetings": Meeting.objects.count(),
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "build_seconds": build_seconds,
        "party_organization": org.name,
        "expected_attendees": expected_n,
        "present": min(ATTENDEES, expected_n),
        "runs": args.runs,
        "collector": "CPython's default" if args.default_gc else "web worker's (dangjian.wsgi)",
        "load": os.getloadavg(),
        "service": summary(service_times, service_cpu),
        "record_held": summary(held_times, held_cpu),
        "page_post": {**summary(page_times, page_cpu), "status": page_status},
        "queries": queries,
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
