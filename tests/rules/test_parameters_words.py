"""Every parameter of every rule reads in Chinese on the rulebook page: a label of its own and
its value in words — never a key, a Python dict or list, or ``None``."""

import pytest
from django.utils import translation

from dangjian.rulebook import loader
from dangjian.rules import parameters


def _parameters():
    book = loader.load()
    for rule_id in book.rule_ids():
        for revision in book.revisions[rule_id]:
            for key, value in revision.parameters.items():
                yield pytest.param(
                    rule_id, key, value, id=f"{rule_id}:{revision.effective_from}:{key}"
                )


@pytest.mark.parametrize("rule_id,key,value", list(_parameters()))
def test_every_parameter_in_words(rule_id, key, value):
    with translation.override("zh-hans"):
        ((label, _, words),) = parameters.rows({key: value}, rule_id)
    assert label != key, f"{key} has no label"
    assert not any(c in words for c in "{}[]'"), f"{key} shows {words}"
    assert "None" not in words


def test_hand_read_examples():
    with translation.override("zh-hans"):
        words = dict(
            (k, w)
            for _, k, w in parameters.rows(
                {
                    "general_meeting_quorum": {"share": "1/2", "strict": True},
                    "committee_quorum": {"share": "1/2", "strict": False},
                    "employed_bands": [[300000, 50], [500000, 100], [None, 200]],
                    "fixed_fen": {"student": 20},
                    "rural_max_fen": 100,
                    "reminder_months": [6, 3],
                }
            )
        )
    assert words["general_meeting_quorum"] == "超过1/2"
    assert words["committee_quorum"] == "不少于1/2"
    assert words["employed_bands"] == "3000.00元及以下：0.5%；5000.00元及以下：1%；以上：2%"
    assert words["fixed_fen"] == "学生 0.20元"
    assert words["rural_max_fen"] == "1.00元"
    assert words["reminder_months"] == "6、3"
    with translation.override("zh-hans"):
        ((label, _, words),) = parameters.rows(
            {"before": ["candidate", "full_meeting"]}, "recruitment.publicity"
        )
    assert (label, words) == ("须公示的环节", "确定发展对象、支部大会讨论（转正）")
