"""The generated letter, opened with python-docx, is laid out per GB/T 9704-2012."""

import datetime
import io
import zipfile

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt

from dangjian.core.dates import official_date
from dangjian.documents import gbt9704
from dangjian.documents.gbt9704 import build_letter, heading_level

BODY = """根据本会年度检查和走访调研情况，现将有关情况函告如下。
一、基本情况
（一）年度报告未报送
该协会连续两年未报送年度工作报告。
二、处理建议
1.建议督促其限期整改。
（1）逾期不改的，依法列入活动异常名录。
请予研究处理。"""


@pytest.fixture(scope="module")
def letter():
    data = build_letter(
        title="关于天津市网络游戏行业协会有关问题的处理建议函",
        addressee="天津市委网信办",
        body=BODY,
        signatory="天津市网络社会组织联合会",
        date=datetime.date(2026, 11, 26),
        doc_number="津网联〔2026〕12号",
        issuer="天津市网络社会组织联合会",
        note="联系人：张敏，电话：022-12345678",
    )
    return data, Document(io.BytesIO(data))


def _para(doc, text):
    return next(p for p in doc.paragraphs if p.text == text)


def _east_asia(run):
    return run._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))


TOLERANCE = Mm(0.1)


def _emu_close(a, b):
    return abs(int(a) - int(b)) <= TOLERANCE


def test_page_is_a4_with_the_standard_margins(letter):
    _, doc = letter
    s = doc.sections[0]
    assert _emu_close(s.page_width, Mm(210)) and _emu_close(s.page_height, Mm(297))
    assert _emu_close(s.top_margin, Mm(37))
    assert _emu_close(s.bottom_margin, Mm(35))
    assert _emu_close(s.left_margin, Mm(28))
    assert _emu_close(s.right_margin, Mm(26))
    # The text block is 156 × 225 mm.
    assert _emu_close(s.page_width - s.left_margin - s.right_margin, Mm(156))
    assert _emu_close(s.page_height - s.top_margin - s.bottom_margin, Mm(225))


def test_grid_gives_22_lines_of_28_characters(letter):
    _, doc = letter
    s = doc.sections[0]
    grid = s._sectPr.find(qn("w:docGrid"))
    line_pitch_pt = int(grid.get(qn("w:linePitch"))) / 20
    text_height_pt = Length(s.page_height - s.top_margin - s.bottom_margin).pt
    assert int(text_height_pt // line_pitch_pt) == 22
    # 28 condensed 16 pt characters fit the 156 mm line, 29 do not.
    pitch = gbt9704.BODY_SIZE.pt + gbt9704.CHAR_SPACING.pt
    width = Length(s.page_width - s.left_margin - s.right_margin).pt
    assert int(width // pitch) == 28


def test_body_is_fangsong_16pt_with_fixed_29pt_spacing_and_two_character_indent(letter):
    _, doc = letter
    p = _para(doc, "该协会连续两年未报送年度工作报告。")
    run = p.runs[0]
    assert run.font.size == Pt(16)
    assert _east_asia(run) == "仿宋"
    assert p.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    # "29 pt" in the standard's sense: 28.95 pt, so that exactly 22 lines fill 225 mm.
    assert abs(p.paragraph_format.line_spacing.pt - 29) < 0.06
    assert int(225 / 25.4 * 72 // p.paragraph_format.line_spacing.pt) == 22
    assert p.paragraph_format.first_line_indent == Pt(32)
    # Every body run condenses to the grid and names its East Asian font.
    spacing = run._element.rPr.find(qn("w:spacing"))
    assert int(spacing.get(qn("w:val"))) == -5


def test_title_is_xiaobiaosong_22pt_centred(letter):
    _, doc = letter
    p = _para(doc, "关于天津市网络游戏行业协会有关问题的处理建议函")
    assert p.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert p.runs[0].font.size == Pt(22)
    assert _east_asia(p.runs[0]) == "方正小标宋简体"


def test_addressee_flush_left_with_full_width_colon(letter):
    _, doc = letter
    p = _para(doc, "天津市委网信办：")
    assert p.alignment == WD_ALIGN_PARAGRAPH.LEFT
    assert not p.paragraph_format.first_line_indent
    assert p.text.endswith("：")


@pytest.mark.parametrize(
    ("text", "font"),
    [
        ("一、基本情况", "黑体"),
        ("（一）年度报告未报送", "楷体"),
        ("1.建议督促其限期整改。", "仿宋"),
        ("（1）逾期不改的，依法列入活动异常名录。", "仿宋"),
    ],
)
def test_heading_levels_use_their_fonts(letter, text, font):
    _, doc = letter
    p = _para(doc, text)
    assert _east_asia(p.runs[0]) == font
    assert p.runs[0].font.size == Pt(16)
    assert p.paragraph_format.first_line_indent == Pt(32)


def test_heading_level_detection():
    assert heading_level("一、总体情况") == 1
    assert heading_level("十二、其他") == 1
    assert heading_level("（三）具体问题") == 2
    assert heading_level("2.整改") == 3
    assert heading_level("（2）期限") == 4
    assert heading_level("正文") == 0


def test_date_right_indented_four_characters_in_arabic_numerals(letter):
    _, doc = letter
    p = _para(doc, "2026年11月26日")
    assert p.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert p.paragraph_format.right_indent == Pt(64)
    signatory = [p for p in doc.paragraphs if p.text == "天津市网络社会组织联合会"][-1]
    assert signatory.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert official_date(datetime.date(2026, 1, 5)) == "2026年1月5日"


def test_doc_number_uses_hexagonal_brackets(letter):
    _, doc = letter
    p = _para(doc, "津网联〔2026〕12号")
    assert p.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert _east_asia(p.runs[0]) == "仿宋"


def test_page_numbers_songti_14pt_odd_right_even_left(letter):
    _, doc = letter
    assert doc.settings.odd_and_even_pages_header_footer
    s = doc.sections[0]
    odd = s.footer.paragraphs[0]
    even = s.even_page_footer.paragraphs[0]
    assert odd.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert even.alignment == WD_ALIGN_PARAGRAPH.LEFT
    for p in (odd, even):
        assert p.text.startswith("— ") and p.text.endswith(" —")
        assert " PAGE " in p._p.xml
        for run in p.runs:
            assert run.font.size == Pt(14)
            assert _east_asia(run) == "宋体"
    # One character in from the outer edge.
    assert odd.paragraph_format.right_indent == Pt(14)
    assert even.paragraph_format.left_indent == Pt(14)


def test_every_run_names_an_east_asian_font(letter):
    _, doc = letter
    for p in doc.paragraphs:
        for run in p.runs:
            assert _east_asia(run), p.text


def test_fonts_are_named_not_embedded(letter):
    data, doc = letter
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert not [n for n in names if n.startswith("word/fonts/")]
    settings = doc.settings.element
    assert settings.find(qn("w:embedTrueTypeFonts")) is None
    # Defaults carry the Chinese body font and language too.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    fonts = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "仿宋"
