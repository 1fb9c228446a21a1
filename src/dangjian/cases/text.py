"""Case text: sanitising what submitters typed, counting words, hiding names from reviewers."""

from __future__ import annotations

import html
import re

import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "ul",
    "ol",
    "li",
    "h3",
    "h4",
    "blockquote",
}
REDACTED = "〔单位名称已隐去〕"
_TAG = re.compile(r"<[^>]*>")
_BLOCK = re.compile(r"<(p|br|ul|ol|li|h3|h4|blockquote)[\s/>]", re.IGNORECASE)
_NOT_COUNTED = re.compile(r"[\s\u3000，。、；：？！“”‘’（）《》〈〉【】…—,.;:?!\"'()\[\]<>-]+")


def sanitise(raw: str) -> SafeString:
    """Typed HTML reduced to a few harmless tags, no attributes; plain line breaks kept."""
    raw = raw or ""
    if not _BLOCK.search(raw):
        # Typed as plain lines: each line is a paragraph (its tags are still cleaned below).
        raw = "".join(f"<p>{line}</p>" for line in raw.splitlines() if line.strip())
    return mark_safe(nh3.clean(raw, tags=ALLOWED_TAGS, attributes={}))  # noqa: S308


def plain_text(raw: str) -> str:
    return html.unescape(_TAG.sub("", nh3.clean(raw or "", tags=set(), attributes={})))


def word_count(raw: str) -> int:
    """Characters that count towards a Chinese word limit: no tags, spaces or punctuation."""
    return len(_NOT_COUNTED.sub("", plain_text(raw)))


def redaction_names(submission) -> list[str]:
    """Every name that would tell a reviewer who wrote the case, longest first."""
    names = set()
    for who in (submission.organization, submission.federation):
        if who is None:
            continue
        names.add(who.name)
        short = getattr(who, "short_name", "")
        if short and len(short) >= 2:
            names.add(short)
    if submission.created_by_id:
        user = submission.created_by
        name = user.get_full_name()
        if len(name) >= 2:
            names.add(name)
    return sorted(names, key=len, reverse=True)


def redact(text: str, names: list[str]) -> str:
    """Replace each name (as typed and as HTML-escaped) with a neutral marker."""
    for name in names:
        text = text.replace(name, REDACTED)
        escaped = html.escape(name)
        if escaped != name:
            text = text.replace(escaped, REDACTED)
    return text


_BLOCK_END = re.compile(r"</(p|li|h3|h4|blockquote)>|<br\s*/?>", re.IGNORECASE)


def plain_paragraphs(raw: str) -> list[str]:
    """The sanitised text as plain paragraphs (for the Word file)."""
    marked = _BLOCK_END.sub("\n", str(sanitise(raw)))
    return [
        line.strip() for line in html.unescape(_TAG.sub("", marked)).splitlines() if line.strip()
    ]
