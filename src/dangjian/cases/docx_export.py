"""A published case as a Word file laid out for printing.

The documents app had no GB/T 9704 builder when this was written, so this is a small layout of
its own in the same spirit: A4, margins 37/26/35/28 mm, title 小标宋 22 pt centred, body 仿宋
16 pt at 29 pt fixed spacing with a two-character first-line indent, headings 黑体, page numbers
"— N —" in the footer. Fonts are named, not embedded.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from . import text


def _font(run, name: str, size: float, bold: bool = False):
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), name)


def _paragraph(document, content: str, font="仿宋", size=16, bold=False, indent=True, align=None):
    p = document.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(29)
    fmt.space_before = fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if align is not None:
        p.alignment = align
    _font(p.add_run(content), font, size, bold)
    return p


def _page_number(section):
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run("— "), "宋体", 14)
    run = p.add_run()
    for tag, textval in (("begin", None), (None, "PAGE"), ("end", None)):
        if tag:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), tag)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = textval
        run._element.append(el)
    _font(run, "宋体", 14)
    _font(p.add_run(" —"), "宋体", 14)


CHINESE_NUMBERS = "一二三四五六七八九十"


def build(publication) -> bytes:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    _page_number(section)
    props = document.core_properties
    props.title = publication.title
    props.author = publication.campaign.federation.name
    campaign = publication.campaign
    series = campaign.series_title or campaign.title
    _paragraph(
        document,
        f"{series} · {_('Case')} {publication.number}",
        font="楷体",
        size=14,
        indent=False,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    _paragraph(
        document,
        publication.title,
        font="方正小标宋简体",
        size=22,
        indent=False,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    _paragraph(
        document,
        publication.author_name,
        font="楷体",
        size=16,
        indent=False,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    _paragraph(document, f"【{_('Editor’s note')}】{publication.editor_note}", font="楷体")
    for i, (heading, body) in enumerate(publication.sections.items()):
        number = CHINESE_NUMBERS[i] if i < len(CHINESE_NUMBERS) else str(i + 1)
        _paragraph(document, f"{number}、{heading}", font="黑体", size=16)
        for line in text.plain_paragraphs(body):
            _paragraph(document, line)
    for revision in publication.revisions.all():
        _paragraph(
            document,
            f"{_('Revision')}（{revision.at:%Y-%m-%d}）：{revision.note}",
            font="楷体",
            size=14,
        )
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
