"""Who sees findings, rule runs and overrides, registered with ``dangjian.access.scope``.

Findings were defined three ways (the findings list: by unit or party organization; the
inspection page: by unit; letters: by federation with APPROVE). The one rule is the union of
what a finding is *about* and *who raised it*: its unit or party organization is in the user's
scope for the action, or its federation is. The subject clauses let a liaison or a branch
secretary see the findings on their own unit; the federation clause covers the findings that
have no unit or party organization (a federation-level finding, shown by its federation's
name), which the first definition hid from the federation's own officers. Drafting a letter
additionally needs the finding's federation in the officer's APPROVE scope, since the letter is
written in that federation's name (``recommendations.views``).
"""

from dangjian.access import scope

from .models import EvaluationRun, Finding


def findings(user, action):
    return Finding.objects.filter(
        scope.subject_q(
            user,
            action,
            organization="organization",
            party_organization="party_organization",
            federation="federation",
        )
    )


def _by_federation(model):
    def rule(user, action):
        return model.objects.filter(federation__in=scope.federations(user, action).values("pk"))

    return rule


def register() -> None:
    scope.register(Finding, findings)
    scope.register(EvaluationRun, _by_federation(EvaluationRun))
