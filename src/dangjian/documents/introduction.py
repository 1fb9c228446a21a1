"""The introduction letter of a party member's 组织关系 (中国共产党党员组织关系介绍信) in the
three-part form of 组通字〔2006〕45号: the stub (存根) kept by the issuer, the letter (介绍信)
the member carries, and the receipt (回执) the receiver sends back — one page each, cut apart
along the dotted line that carries the letter's number (骑缝). Laid out on the GB/T 9704 page
(``gbt9704.OfficialDocument``): the same margins, fonts and line grid as every letter.

A library: the caller (the transfers app) gives the fields; nothing here reads a model.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Pt

from dangjian.core.dates import official_date
from dangjian.documents.gbt9704 import (
    BODY_FONT,
    BODY_SIZE,
    TITLE_FONT,
    OfficialDocument,
    set_run_font,
)

TITLE = "中国共产党党员组织关系介绍信"


@dataclass(frozen=True)
class IntroductionLetter:
    number: str  # 第 … 号
    name: str
    sex: str
    age: int | None
    ethnicity: str
    full_member: bool  # 正式 / 预备
    id_number: str
    from_org: str
    to_org: str  # the organization the member goes to (also the addressee)
    dues_paid_to: datetime.date | None  # month
    valid_days: int
    issued_on: datetime.date
    issuer: str  # the issuing party committee (盖章)
    issuer_contact: str = ""  # 联系人、电话、传真 of the issuing committee
    issuer_address: str = ""

    @property
    def kind(self) -> str:
        return "正式" if self.full_member else "预备"

    @property
    def dues(self) -> str:
        return (
            f"{self.dues_paid_to.year}年{self.dues_paid_to.month}月"
            if self.dues_paid_to
            else "　　年　　月"
        )


def _line(doc: OfficialDocument, text: str, *, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=2):
    p = doc._paragraph(alignment=align, indent_chars=indent)
    set_run_font(p.add_run(text), BODY_FONT, BODY_SIZE)
    return p


def _title(doc: OfficialDocument, text: str, part: str = ""):
    p = doc._paragraph(alignment=WD_ALIGN_PARAGRAPH.CENTER)
    p.paragraph_format.line_spacing = Pt(35)
    set_run_font(p.add_run(text), TITLE_FONT, Pt(22))
    if part:
        _line(doc, f"（{part}）", align=WD_ALIGN_PARAGRAPH.CENTER, indent=0)


def _number(doc: OfficialDocument, number: str):
    _line(doc, f"{number}", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=0)


def _signature(doc: OfficialDocument, issuer: str, day: datetime.date):
    doc.add_blank_line()
    _line(doc, f"{issuer}（盖章）", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=0)
    p = _line(doc, official_date(day), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=0)
    p.paragraph_format.right_indent = Pt(BODY_SIZE.pt * 4)


def _cut(doc: OfficialDocument, number: str):
    """The dotted line between two parts, carrying the number (骑缝), then a new page."""
    _line(doc, f"┄┄┄┄┄┄┄┄（{number}）┄┄┄┄┄┄┄┄", align=WD_ALIGN_PARAGRAPH.CENTER, indent=0)
    doc.document.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)


def build_introduction_letter(letter: IntroductionLetter) -> bytes:
    """The stub, the letter and the receipt as one .docx."""
    doc = OfficialDocument(title=TITLE, author=letter.issuer)
    age = f"{letter.age}岁" if letter.age is not None else "　　岁"
    # 存根
    _title(doc, TITLE, "存　根")
    _number(doc, letter.number)
    _line(
        doc,
        f"{letter.name}同志（{letter.sex}，{age}，{letter.ethnicity}），系中共{letter.kind}党员，"
        f"身份证号码{letter.id_number}，组织关系由{letter.from_org}转到{letter.to_org}。",
    )
    _line(doc, f"党费交到{letter.dues}。")
    _line(doc, f"有效期{letter.valid_days}天。")
    _signature(doc, letter.issuer, letter.issued_on)
    _cut(doc, letter.number)
    # 介绍信
    _title(doc, TITLE)
    _number(doc, letter.number)
    doc.add_addressee(letter.to_org)
    _line(
        doc,
        f"兹介绍{letter.name}同志（{letter.sex}），{age}，{letter.ethnicity}，系中共{letter.kind}党员，"
        f"身份证号码{letter.id_number}，由{letter.from_org}去{letter.to_org}，请转接组织关系。"
        f"该同志党费已交到{letter.dues}。",
    )
    _line(doc, f"（有效期{letter.valid_days}天）")
    _signature(doc, letter.issuer, letter.issued_on)
    if letter.issuer_address:
        _line(doc, f"党员原所在基层党委通讯地址：{letter.issuer_address}", indent=0)
    _line(doc, f"联系方式：{letter.issuer_contact or '　'}", indent=0)
    _cut(doc, letter.number)
    # 回执
    _title(doc, f"{TITLE}回执")
    _number(doc, letter.number)
    doc.add_addressee(letter.issuer)
    _line(doc, f"{letter.name}同志的党员组织关系已转达我处，特此回执。")
    doc.add_blank_line()
    _line(doc, "（接收党组织盖章）", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=0)
    p = _line(doc, "　　年　　月　　日", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=0)
    p.paragraph_format.right_indent = Pt(BODY_SIZE.pt * 4)
    return doc.to_bytes()
