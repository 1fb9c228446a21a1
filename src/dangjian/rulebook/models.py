"""Federation overrides of the rulebook's parameters (configuration, not facts).

The federation is named by its app label (``registry.Federation``) rather than imported: the
rulebook sits below the registry and imports only ``dangjian.core``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import TimeStamped


class RuleOverride(TimeStamped):
    """A federation's own values for some parameters of a rule, from a date.

    Applies to the federation and every federation below it unless a lower one overrides again;
    the override valid on the evaluation date with the latest ``valid_from`` wins.
    """

    federation = models.ForeignKey(
        "registry.Federation",
        verbose_name=_("federation"),
        on_delete=models.CASCADE,
        related_name="rule_overrides",
    )
    rule_id = models.CharField(_("rule"), max_length=64, db_index=True)
    parameters = models.JSONField(_("parameters"), default=dict)
    valid_from = models.DateField(_("valid from"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        # The table the rules app created: the model moved, its rows stay where they were.
        db_table = "rules_ruleoverride"
        verbose_name = _("rule parameter override")
        verbose_name_plural = _("rule parameter overrides")
        ordering = ["federation_id", "rule_id", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["federation", "rule_id", "valid_from"], name="rules_override_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.federation} {self.rule_id} {self.valid_from}"
