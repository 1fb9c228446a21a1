"""System checks of the rulebook's configuration (``dangjian check`` prints them).

An override of a national parameter (saved in the admin or straight through the ORM, around
``set_override``'s refusal) is ignored when read; the check says so, so nobody believes it
applies.
"""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Warning
from django.db import DatabaseError
from django.utils.translation import gettext as _


def national_overrides(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from dangjian.rulebook import loader
    from dangjian.rulebook.models import RuleOverride

    book = loader.load()
    messages: list[CheckMessage] = []
    try:
        overrides = list(RuleOverride.objects.select_related("federation"))
    except DatabaseError:  # no table yet (before migrate): nothing to check
        return []
    for override in overrides:
        names = loader.refused(override, book)
        if names:
            messages.append(
                Warning(
                    _(
                        "The override of rule %(rule)s for %(federation)s from %(day)s sets "
                        "national parameters (%(names)s); they are ignored."
                    )
                    % {
                        "rule": override.rule_id,
                        "federation": override.federation,
                        "day": override.valid_from,
                        "names": "、".join(names),
                    },
                    hint=_(
                        "National parameters are the same for every federation; delete them from the override."
                    ),
                    obj=override,
                    id="rulebook.W001",
                )
            )
    return messages
