"""Recruitment (发展党员): a step not recorded by the day the rulebook sets for it.

What is due and by when is ``recruitment.queries``' one definition (the talk within a month of
the application, the activist's assessment every six months, the committee's approval within
three months of the branch meeting, the branch meeting on 转正 when the probation ends, its
approval within three months), read by the branch's pipeline page too. The finding's subject is
the applicant's branch; it names the applicant by their record number only (findings reach
roles that never see a person).
"""

from __future__ import annotations

from dangjian.recruitment import queries
from dangjian.recruitment.models import Applicant
from dangjian.rules.asof import AS_OF, days_since
from dangjian.rules.kinds import base
from dangjian.rules.registry import Candidate, kind


# Reads applicants and their steps, no journaled fact: their changes reach the input digest.
@kind("recruitment_overdue", reads=())
def recruitment_overdue(ctx):
    day = ctx.as_of
    branches = base.party_orgs(ctx)
    applicants = queries.in_progress(
        Applicant.objects.filter(branch__in=branches.values("pk"), applied_on__lte=day)
    )
    for standing in queries.pipeline(applicants, day):
        applicant = standing.applicant
        for due in standing.overdue:
            hard = ""
            if due.hard_limit is not None:
                hard = f"，最迟不得超过 {due.hard_limit.isoformat()}"
            yield Candidate(
                federation_id=applicant.branch.federation_id,
                party_organization_id=applicant.branch_id,
                period_start=due.since,
                period_end=due.due_on,
                # One finding per applicant and step: recording the step resolves it.
                period_key=f"a{applicant.pk}:{due.code}",
                explanation=(
                    f"入党申请人（编号 {applicant.pk}）的“{due.title}”应于 {due.due_on.isoformat()} "
                    f"前完成（自 {due.since.isoformat()} 起 {due.months} 个月{hard}），"
                    f"至 {AS_OF} 仍未记录，已逾期 {days_since(due.due_on)} 天。依据：{due.article}。"
                ),
                evidence={
                    "applicant_id": applicant.pk,
                    "step": due.title,
                    "since": due.since.isoformat(),
                    "deadline": due.due_on.isoformat(),
                    "article": due.article,
                },
                facts={"applicant_id": applicant.pk, "step": due.code, "since": str(due.since)},
            )
