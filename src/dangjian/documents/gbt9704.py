"""Official documents laid out per GB/T 9704-2012 (党政机关公文格式), written with python-docx.

A4; margins top 37 mm, left 28 mm, right 26 mm, bottom 35 mm (text block 156 × 225 mm);
22 lines × 28 characters; body 仿宋 三号 (16 pt) at a fixed ≈29 pt (28.95 pt) line spacing; title
方正小标宋简体 二号 (22 pt) centred; addressee flush left; paragraphs indented two characters;
headings 一、(黑体) （一）(楷体) 1. and （1）(仿宋); date right-indented four characters; page
numbers 宋体 四号 "— 1 —", odd pages right and even pages left, one character in from the edge.

Fonts are named, never embedded: Chinese font names go into ``w:eastAsia`` of each run's
``rFonts`` so that Word and WPS pick them for CJK text, and a reader without them falls back to
their own CJK fonts.

Usage::

    doc = OfficialDocument()
    doc.add_doc_number("津网联〔2026〕12号")
    doc.add_title("关于……的函")
    doc.add_addressee("天津市委网信办")
    doc.add_body("一、基本情况\\n……")
    doc.add_signature("天津市网络社会组织联合会", datetime.date(2026, 11, 26))
    data = doc.to_bytes()
"""

from __future__ import annotations

import datetime
import io
import re

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt, RGBColor

from dangjian.core.dates import official_date

# -- the standard's numbers -------------------------------------------------------------------
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM = Mm(37), Mm(35)
MARGIN_LEFT, MARGIN_RIGHT = Mm(28), Mm(26)
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28
BODY_SIZE = Pt(16)  # 三号
TITLE_SIZE = Pt(22)  # 二号
PAGE_NUMBER_SIZE = Pt(14)  # 四号
# Fixed "29 pt": 225 mm is 637.8 pt, and 22 × 29 pt = 638 pt would leave room for 21 lines
# only, so the usual 28.95 pt (579 twips) is used, which is what GB/T templates set.
LINE_SPACING = Pt(28.95)
# 156 mm holds 27.6 characters of 16 pt: condensing each by 0.25 pt fits 28 (441 pt ≤ 442.2 pt).
CHAR_SPACING = Pt(-0.25)
# The page number sits 7 mm below the text block.
FOOTER_DISTANCE = Length(Mm(35 - 7) - Pt(14))

BODY_FONT = "仿宋"
TITLE_FONT = "方正小标宋简体"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"

HEADING_PATTERNS = [
    (1, re.compile(r"^[一二三四五六七八九十百]+、")),
    (2, re.compile(r"^（[一二三四五六七八九十百]+）")),
    (3, re.compile(r"^\d+[.．]")),
    (4, re.compile(r"^（\d+）")),
]
HEADING_FONTS = {1: HEADING1_FONT, 2: HEADING2_FONT, 3: BODY_FONT, 4: BODY_FONT}


# Children that must follow w:spacing in w:rPr, and w:pBdr in w:pPr (WordprocessingML order).
_AFTER_RUN_SPACING = [
    "w:w",
    "w:kern",
    "w:position",
    "w:sz",
    "w:szCs",
    "w:highlight",
    "w:u",
    "w:effect",
    "w:bdr",
    "w:shd",
    "w:fitText",
    "w:vertAlign",
    "w:rtl",
    "w:cs",
    "w:em",
    "w:lang",
    "w:eastAsianLayout",
    "w:specVanish",
    "w:oMath",
]
_AFTER_PBDR = [
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
]


def insert_in_order(parent, child, followers: list[str]):
    """Insert ``child`` before the first existing element that the schema puts after it."""
    tags = {qn(t) for t in followers}
    for index, existing in enumerate(parent):
        if existing.tag in tags:
            parent.insert(index, child)
            return child
    parent.append(child)
    return child


def set_run_font(run, east_asia: str, size, *, latin: str = LATIN_FONT, bold=None, color=None):
    """Name the font for Latin and East Asian text (w:eastAsia), and its size."""
    run.font.name = latin
    run.font.size = size
    if bold is not None:
        run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    rpr = run._element.get_or_add_rPr()
    if size == BODY_SIZE:
        spacing = rpr.find(qn("w:spacing"))
        if spacing is None:
            spacing = insert_in_order(rpr, OxmlElement("w:spacing"), _AFTER_RUN_SPACING)
        spacing.set(qn("w:val"), str(int(CHAR_SPACING.pt * 20)))
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:hint"), "eastAsia")
    return run


def heading_level(text: str) -> int:
    """0 for body text, else the GB/T 9704 heading level the line starts with."""
    for level, pattern in HEADING_PATTERNS:
        if pattern.match(text):
            return level
    return 0


class OfficialDocument:
    """A GB/T 9704 document under construction."""

    def __init__(self, *, title: str = "", author: str = ""):
        self.document = Document()
        self._setup_page()
        self._setup_styles()
        self._setup_page_numbers()
        props = self.document.core_properties
        props.title = title
        props.author = author
        props.language = "zh-CN"
        # The default template starts with one empty paragraph: drop it.
        body = self.document.element.body
        for p in list(body.iterchildren(qn("w:p"))):
            body.remove(p)

    # -- set-up ---------------------------------------------------------------------------
    def _setup_page(self):
        section = self.document.sections[0]
        section.start_type = WD_SECTION.NEW_PAGE
        section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
        section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
        section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
        section.header_distance = Mm(15)
        section.footer_distance = FOOTER_DISTANCE
        section.gutter = 0
        # 22 lines × 28 characters: the document grid.
        sect_pr = section._sectPr
        grid = sect_pr.find(qn("w:docGrid"))
        if grid is None:
            grid = OxmlElement("w:docGrid")
            sect_pr.append(grid)
        line_pitch = int(LINE_SPACING.twips)
        # A line grid only: Word and LibreOffice disagree on character grids (LibreOffice gives
        # a 16 pt character two cells of a 15.8 pt grid), so 28 characters a line come from
        # condensing each character instead (CHAR_SPACING, on every run).
        grid.set(qn("w:type"), "lines")
        grid.set(qn("w:linePitch"), str(line_pitch))
        grid.attrib.pop(qn("w:charSpace"), None)

    def _setup_defaults(self):
        """docDefaults: 三号 仿宋, Chinese language; the character grid is measured from here."""
        styles = self.document.styles.element
        rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
        fonts = rpr.find(qn("w:rFonts"))
        for attr in list(fonts.attrib):
            del fonts.attrib[attr]
        for attr in ("w:ascii", "w:hAnsi", "w:cs"):
            fonts.set(qn(attr), LATIN_FONT)
        fonts.set(qn("w:eastAsia"), BODY_FONT)
        half_points = str(int(BODY_SIZE.pt * 2))
        rpr.find(qn("w:sz")).set(qn("w:val"), half_points)
        rpr.find(qn("w:szCs")).set(qn("w:val"), half_points)
        lang = rpr.find(qn("w:lang"))
        lang.set(qn("w:val"), "en-US")
        lang.set(qn("w:eastAsia"), "zh-CN")
        ppr = styles.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr"))
        spacing = ppr.find(qn("w:spacing"))
        spacing.set(qn("w:after"), "0")
        spacing.set(qn("w:line"), str(int(LINE_SPACING.twips)))
        spacing.set(qn("w:lineRule"), "exact")

    def _setup_styles(self):
        self._setup_defaults()
        styles = self.document.styles
        normal = styles["Normal"]
        normal.font.name = LATIN_FONT
        normal.font.size = BODY_SIZE
        rpr = normal.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.insert(0, fonts)
        for attr in ("w:ascii", "w:hAnsi", "w:cs"):
            fonts.set(qn(attr), LATIN_FONT)
        fonts.set(qn("w:eastAsia"), BODY_FONT)
        for theme_attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(theme_attr), None)
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:eastAsia"), "zh-CN")
        fmt = normal.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = LINE_SPACING
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.widow_control = False
        # Fonts are named, never embedded.
        settings = self.document.settings.element
        for tag in ("w:embedTrueTypeFonts", "w:embedSystemFonts", "w:saveSubsetFonts"):
            for el in settings.findall(qn(tag)):
                settings.remove(el)

    def _setup_page_numbers(self):
        self.document.settings.odd_and_even_pages_header_footer = True
        section = self.document.sections[0]
        section.different_first_page_header_footer = False
        self._page_number(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
        self._page_number(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)

    def _page_number(self, footer, alignment):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        p.alignment = alignment
        fmt = p.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.first_line_indent = Pt(0)
        # One character in from the outer edge: right on odd pages, left on even pages.
        if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
            fmt.right_indent = PAGE_NUMBER_SIZE
        else:
            fmt.left_indent = PAGE_NUMBER_SIZE
        set_run_font(p.add_run("— "), PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE, latin=PAGE_NUMBER_FONT)
        run = p.add_run()
        set_run_font(run, PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE, latin=PAGE_NUMBER_FONT)
        for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), ("end", None)):
            if kind is None:
                el = OxmlElement("w:instrText")
                el.set(qn("xml:space"), "preserve")
                el.text = text
            else:
                el = OxmlElement("w:fldChar")
                el.set(qn("w:fldCharType"), kind)
            run._element.append(el)
            if kind == "separate":
                t = OxmlElement("w:t")
                t.text = "1"
                run._element.append(t)
        set_run_font(p.add_run(" —"), PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE, latin=PAGE_NUMBER_FONT)

    # -- content --------------------------------------------------------------------------
    def _paragraph(self, *, alignment=WD_ALIGN_PARAGRAPH.JUSTIFY, indent_chars: int = 0):
        p = self.document.add_paragraph()
        p.alignment = alignment
        fmt = p.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = LINE_SPACING
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.first_line_indent = Pt(BODY_SIZE.pt * indent_chars)
        if indent_chars:
            # Character units too, so the indent follows the grid in Word and WPS.
            ind = p._p.get_or_add_pPr().find(qn("w:ind"))
            ind.set(qn("w:firstLineChars"), str(indent_chars * 100))
        return p

    def add_blank_line(self):
        p = self._paragraph()
        set_run_font(p.add_run(""), BODY_FONT, BODY_SIZE)
        return p

    def add_issuer_mark(self, issuer: str):
        """发文机关标志 of the letter format: the issuer's full name in red, with a red rule."""
        p = self._paragraph(alignment=WD_ALIGN_PARAGRAPH.CENTER)
        p.paragraph_format.line_spacing = Pt(40)
        set_run_font(p.add_run(issuer), TITLE_FONT, Pt(26), color=RGBColor(0xE6, 0, 0))
        borders = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for key, value in (("val", "double"), ("sz", "12"), ("space", "4"), ("color", "E60000")):
            bottom.set(qn(f"w:{key}"), value)
        borders.append(bottom)
        insert_in_order(p._p.get_or_add_pPr(), borders, _AFTER_PBDR)
        return p

    def add_doc_number(self, number: str):
        """发文字号 (信函格式: flush right on the first line below the rule)."""
        p = self._paragraph(alignment=WD_ALIGN_PARAGRAPH.RIGHT)
        set_run_font(p.add_run(number), BODY_FONT, BODY_SIZE)
        return p

    def add_title(self, title: str):
        self.add_blank_line()
        p = self._paragraph(alignment=WD_ALIGN_PARAGRAPH.CENTER)
        p.paragraph_format.line_spacing = Pt(35)
        set_run_font(p.add_run(title), TITLE_FONT, TITLE_SIZE)
        self.add_blank_line()
        return p

    def add_addressee(self, addressee: str):
        """主送机关: flush left, ending with a full-width colon."""
        text = addressee.rstrip("：:") + "："
        p = self._paragraph(alignment=WD_ALIGN_PARAGRAPH.LEFT)
        set_run_font(p.add_run(text), BODY_FONT, BODY_SIZE)
        return p

    def add_heading(self, text: str, level: int):
        p = self._paragraph(indent_chars=2)
        set_run_font(p.add_run(text), HEADING_FONTS[level], BODY_SIZE)
        return p

    def add_paragraph(self, text: str):
        """One body paragraph; a line starting with a heading number is set as that heading."""
        level = heading_level(text)
        if level in (1, 2):
            return self.add_heading(text, level)
        p = self._paragraph(indent_chars=2)
        set_run_font(p.add_run(text), BODY_FONT, BODY_SIZE)
        return p

    def add_body(self, text: str):
        for line in text.replace("\r\n", "\n").split("\n"):
            line = line.strip()
            if line:
                self.add_paragraph(line)

    def add_signature(self, signatory: str, day: datetime.date, *, blank_lines: int = 2):
        """署名 centred over 成文日期, the date right-indented four characters."""
        for _ in range(blank_lines):
            self.add_blank_line()
        date_text = official_date(day)
        date_width = _width_in_chars(date_text)
        sig_width = _width_in_chars(signatory)
        sig_indent = 4 + (date_width - sig_width) / 2
        p = self._paragraph(alignment=WD_ALIGN_PARAGRAPH.RIGHT)
        p.paragraph_format.right_indent = Pt(max(sig_indent, 2) * BODY_SIZE.pt)
        set_run_font(p.add_run(signatory), BODY_FONT, BODY_SIZE)
        p = self._paragraph(alignment=WD_ALIGN_PARAGRAPH.RIGHT)
        p.paragraph_format.right_indent = Pt(BODY_SIZE.pt * 4)
        set_run_font(p.add_run(date_text), BODY_FONT, BODY_SIZE)
        return p

    def add_note(self, text: str):
        """附注 such as （联系人：……），indented two characters, in parentheses."""
        p = self._paragraph(indent_chars=2)
        set_run_font(p.add_run(f"（{text}）"), BODY_FONT, BODY_SIZE)
        return p

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()


def _width_in_chars(text: str) -> float:
    """Width in body characters: CJK and full-width count 1, ASCII half."""
    return sum(0.5 if ord(c) < 0x2E80 else 1 for c in text)


def build_letter(
    *,
    title: str,
    addressee: str,
    body: str,
    signatory: str,
    date: datetime.date,
    doc_number: str = "",
    issuer: str = "",
    note: str = "",
) -> bytes:
    """A letter (函) in the GB/T 9704 letter format, as .docx bytes."""
    doc = OfficialDocument(title=title, author=signatory)
    if issuer:
        doc.add_issuer_mark(issuer)
    if doc_number:
        doc.add_doc_number(doc_number)
    doc.add_title(title)
    doc.add_addressee(addressee)
    doc.add_body(body)
    doc.add_signature(signatory, date)
    if note:
        doc.add_note(note)
    return doc.to_bytes()
