"""The first draft of a handling recommendation, composed from the findings' own explanations.

The officer edits the draft before numbering it; nothing here judges anything: the findings'
explanations and evidence are quoted as the rules engine wrote them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

# What the federation recommends, per rule family (the officer may rewrite it).
SUGGESTIONS = {
    "dormancy.": "建议督促{name}限期恢复正常活动、补报年度工作报告；经核查确属休眠状态的，依法依规予以处理。",
    "credit.abnormal_list_proposal": "建议依照《社会组织信用信息管理办法》第八条核实{name}的有关情况，符合条件的，依法列入活动异常名录。",
    "credit.": "建议依照《社会组织信用信息管理办法》核实{name}的有关情况，依法作出处理。",
    "shell.": "建议指导{name}的上级党组织督促其限期整改，恢复正常组织生活、配齐支部书记；无法整改的，按程序予以调整或撤销。",
    "formation.required_not_formed": "建议督促{name}按照《中国共产党支部工作条例（试行）》尽快建立党组织。",
}
DEFAULT_SUGGESTION = "建议督促{name}对“{title}”问题限期整改，并将整改情况报我会。"
CHINESE_NUMERALS = "一二三四五六七八九十"


def _numeral(n: int) -> str:
    if n <= 10:
        return CHINESE_NUMERALS[n - 1]
    if n < 20:
        return "十" + CHINESE_NUMERALS[n - 11]
    tens, ones = divmod(n, 10)
    return CHINESE_NUMERALS[tens - 1] + "十" + (CHINESE_NUMERALS[ones - 1] if ones else "")


def _suggestion(rule_id: str, name: str, title: str) -> str:
    for prefix, text in SUGGESTIONS.items():
        if rule_id == prefix or (prefix.endswith(".") and rule_id.startswith(prefix)):
            return text.format(name=name, title=title)
    return DEFAULT_SUGGESTION.format(name=name, title=title)


@dataclass
class DraftText:
    recipient: str
    title: str
    body: str
    contact_note: str


def default_recipient(federation, organizations, recipient_kind: str) -> str:
    for org in organizations:
        value = (
            org.supervising_unit if recipient_kind == "supervisor" else org.registration_authority
        )
        if value:
            return value
    return federation.supervising_unit if recipient_kind == "supervisor" else ""


def draft_text(
    federation, findings, organizations, recipient_kind, recipient, today: datetime.date
) -> DraftText:
    recipient = recipient or default_recipient(federation, organizations, recipient_kind)
    recipient = recipient or _("(addressee)")
    subjects: list[str] = []
    for f in findings:
        if f.subject_name not in subjects:
            subjects.append(f.subject_name)
    if len(subjects) == 1:
        title = f"关于{subjects[0]}有关问题的处理建议函"
    else:
        title = f"关于{subjects[0]}等{len(subjects)}家单位有关问题的处理建议函"
    lines = [
        f"根据本会{today.year}年度会员单位党建工作年度检查和走访调研情况，经核查，"
        f"{'、'.join(subjects)}存在以下问题。现将有关情况和处理建议函告如下。",
        "一、基本情况",
    ]
    for i, f in enumerate(findings, start=1):
        lines.append(f"（{_numeral(i)}）{f.subject_name}：{f.title}")
        # The finding's explanation as official text writes it (dates as 2026年12月2日).
        lines.append(f.explanation_text.strip().replace("\n", ""))
    lines.append("二、处理建议")
    seen = set()
    n = 0
    for f in findings:
        key = (f.rule_id, f.subject_name)
        if key in seen:
            continue
        seen.add(key)
        n += 1
        lines.append(f"{n}.{_suggestion(f.rule_id, f.subject_name, f.title)}")
    lines.append("请贵单位予以研究处理，并将处理结果于30日内函复我会。")
    lines.append("特此函告。")
    return DraftText(recipient=recipient, title=title, body="\n".join(lines), contact_note="")
