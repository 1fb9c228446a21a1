"""The `dangjian` console script: Django's management commands plus short aliases.

`dangjian demo` builds the demo federation (see demo/management/commands/demo.py), and every
other word is passed to Django's manage.py machinery (`dangjian migrate`, `dangjian evaluate`).
"""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    execute_from_command_line(["dangjian", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())
