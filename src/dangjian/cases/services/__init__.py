"""Every write of the case collection, one module per stage (campaigns, submissions, review,
publication): one function per business action, atomic, audited. Functions that depend on the
clock take ``now`` (default: the current time), so the deadline can be tested at the exact
second. The reads they share are in ``cases.queries``; re-exported here for the pages."""

from ..queries import experts, problems, ranking, reviewer_keys, submission_keys, undeclared_experts
from .campaigns import create_campaign, update_campaign
from .publication import deselect_case, publish_campaign, revise_publication, select_case
from .review import assign_reviewers, declare_affiliation, save_review, start_second_round
from .submissions import (
    add_attachment,
    add_image,
    add_stated_figure,
    create_submission,
    pull_figures,
    remove_figure,
    remove_file,
    save_draft,
    submit,
    withdraw,
)

__all__ = [
    "add_attachment",
    "add_image",
    "add_stated_figure",
    "assign_reviewers",
    "create_campaign",
    "create_submission",
    "declare_affiliation",
    "deselect_case",
    "experts",
    "problems",
    "publish_campaign",
    "pull_figures",
    "ranking",
    "remove_figure",
    "remove_file",
    "reviewer_keys",
    "revise_publication",
    "save_draft",
    "save_review",
    "select_case",
    "start_second_round",
    "submission_keys",
    "submit",
    "undeclared_experts",
    "update_campaign",
    "withdraw",
]
