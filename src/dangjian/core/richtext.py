"""User-written rich text (case sections, meeting minutes): one sanitiser for every page.

What people type is kept as typed and reduced to a few harmless tags, without attributes,
whenever it is stored or shown (nh3, the Rust ammonia library)."""

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
TAG = re.compile(r"<[^>]*>")
_BLOCK = re.compile(r"<(p|br|ul|ol|li|h3|h4|blockquote)[\s/>]", re.IGNORECASE)


def sanitise(raw: str) -> SafeString:
    """Typed HTML reduced to a few harmless tags, no attributes; plain line breaks kept."""
    raw = raw or ""
    if not _BLOCK.search(raw):
        # Typed as plain lines: each line is a paragraph (its tags are still cleaned below).
        raw = "".join(f"<p>{line}</p>" for line in raw.splitlines() if line.strip())
    return mark_safe(nh3.clean(raw, tags=ALLOWED_TAGS, attributes={}))  # noqa: S308


def plain_text(raw: str) -> str:
    return html.unescape(TAG.sub("", nh3.clean(raw or "", tags=set(), attributes={})))
