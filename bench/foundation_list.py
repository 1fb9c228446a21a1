"""Organization list and profile at scale (issue 2: `demo --scale 20000`, list well under 1 s).

    .venv/bin/python bench/foundation_list.py [--scale 20000] [--database-url URL]

Builds the demo plus N synthetic units into a fresh database (a temporary SQLite file unless
--database-url is given), then times page renders through Django's test client, signed in as
the federation officer, median of 5 after one warm-up. Prints a Markdown table row per page.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=20000)
    parser.add_argument("--database-url")
    parser.add_argument("--var", help="reuse a var/ folder built by an earlier run")
    args = parser.parse_args()
    var = args.var or tempfile.mkdtemp(prefix="dangjian-bench-")
    reuse = bool(args.var) and os.path.exists(f"{var}/bench.sqlite3")
    os.environ["DANGJIAN_VAR_DIR"] = var
    os.environ["DANGJIAN_DATABASE_URL"] = args.database_url or f"sqlite:///{var}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    os.environ["DANGJIAN_DEMO"] = "1"  # the demo accounts keep their published passwords
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    started = time.monotonic()
    if not reuse:
        call_command("demo", "--scale", str(args.scale))
    build_seconds = time.monotonic() - started

    from django.contrib.auth import get_user_model

    from dangjian.registry.models import Organization

    client = Client()
    client.force_login(get_user_model().objects.get(username="officer"))
    big = Organization.objects.order_by("-pk").first()
    pages = {
        "list, first page": "/organizations/",
        "list, name search": "/organizations/?q=数据",
        "list, no party organization": "/organizations/?has_party_org=no",
        "list, district + category": "/organizations/?district=滨海新区&category=association",
        "profile (一户一档)": f"/organizations/{big.pk}/",
    }
    print(
        f"built demo + {args.scale} units in {build_seconds:.0f} s (0 = reused); "
        f"{Organization.objects.count()} organizations; {settings.DATABASES['default']['ENGINE']}"
    )
    print("| page | median ms | max ms |\n|---|---|---|")
    for label, url in pages.items():
        client.get(url)
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        print(f"| {label} | {statistics.median(times):.0f} | {max(times):.0f} |")


if __name__ == "__main__":
    sys.exit(main())
