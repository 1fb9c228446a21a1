"""A published case as a Word file laid out for printing, with the documents app's GB/T 9704
builder (A4, 37/26/35/28 mm margins, 小标宋 title, 仿宋 body at fixed spacing, "— N —" page
numbers; fonts named, not embedded)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.documents.gbt9704 import OfficialDocument

from . import text

CHINESE_NUMBERS = "一二三四五六七八九十"


def build(publication) -> bytes:
    campaign = publication.campaign
    doc = OfficialDocument(title=publication.title, author=campaign.federation.name)
    series = campaign.series_title or campaign.title
    doc.add_doc_number(f"{series} · {_('Case')} {publication.number}")
    doc.add_title(publication.title)
    doc.add_paragraph(f"【{_('Editor’s note')}】{publication.editor_note}")
    for i, (heading, body) in enumerate(publication.ordered_sections()):
        number = CHINESE_NUMBERS[i] if i < len(CHINESE_NUMBERS) else str(i + 1)
        doc.add_heading(f"{number}、{heading}", 1)
        for line in text.plain_paragraphs(body):
            doc.add_paragraph(line)
    for revision in publication.revisions.all():
        doc.add_note(f"{_('Revision')}（{revision.at:%Y-%m-%d}）：{revision.note}")
    published = publication.published_at or timezone.now()
    doc.add_signature(publication.author_name, timezone.localdate(published))
    return doc.to_bytes()
