"""Party dues (党章 art. 9): six consecutive months unpaid without a recorded good reason.

The finding is a candidate for 自行脱党, never a decision: the branch talks with the member,
its general meeting discusses, the higher organization approves — people record each step on
the dues pages, and the system never removes anyone. What "unpaid" is (ended months with an
amount due, no payment, no good reason, as of the day) is ``dues.queries``'s one definition,
which the dues worklist reads too.

The finding's subject is the branch where the last of the months was due; it names the member
by their ledger number only (findings reach roles that never see a person: the worklist on the
dues pages shows the name to those keeping the branch's dues).
"""

from __future__ import annotations

from dangjian.dues import queries
from dangjian.rules.kinds import base
from dangjian.rules.registry import Candidate, kind


@kind("dues_arrears", reads=())
def dues_arrears(ctx):
    p = ctx.params
    branches = base.party_orgs(ctx)
    federation_of = dict(branches.values_list("pk", "federation_id"))
    runs = queries.unpaid_runs(
        branches, ctx.as_of, min_months=p["months"], lookback_months=p["lookback_months"]
    )
    for run in runs:
        months = [f"{m:%Y-%m}" for m in run.months]
        since = "至少自" if run.since_window_start else "自"
        first = run.labels[0]
        yield Candidate(
            federation_id=federation_of[run.party_organization_id],
            party_organization_id=run.party_organization_id,
            period_start=run.months[0],
            period_end=queries.month_end(run.months[-1]),
            # One finding per member: paying (or a good reason) resolves it, a new run reopens it.
            period_key=f"m{run.member_id}",
            explanation=(
                f"党员（台账编号 {run.member_id}）{since}{first}起连续 {len(months)} 个月未交纳党费，"
                f"且没有记录正当理由：{'、'.join(run.labels)}。按党章第九条，属可能自行脱党的情形，"
                f"须由党支部查明情况、与本人谈话、经支部大会讨论并报上级党组织批准；"
                f"系统不会自动处理任何党员。"
            ),
            evidence={
                "member_id": run.member_id,
                "months": months,
                "count": len(months),
                "since_window_start": run.since_window_start,
            },
            facts={
                "member_id": run.member_id,
                "first_month": "window" if run.since_window_start else months[0],
            },
        )
