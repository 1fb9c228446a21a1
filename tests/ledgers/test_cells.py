"""Every quirk of what people type into ledger cells (issue 5 §2), with the exact outcome."""

import datetime

import pytest

from dangjian.ledgers import cells

D = datetime.date(2019, 6, 28)


@pytest.mark.parametrize(
    "raw",
    [
        "2019年6月28日",
        "2019年06月28日",
        "2019.6.28",
        "2019/06/28",
        "2019-6-28",
        "20190628",
        43644,  # the Excel serial number of 2019-06-28
        43644.0,
        "43644",
        "２０１９年６月２８日",  # full-width digits
        " 2019.6.28\n",
        datetime.datetime(2019, 6, 28, 0, 0),
        D,
    ],
)
def test_dates_in_every_form(raw):
    assert cells.date(raw) == D


@pytest.mark.parametrize("raw", ["", None, "  ", "\n"])
def test_blank_dates(raw):
    assert cells.date(raw) is None


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("2019年2月30日", "不是真实存在的日期"),
        ("去年六月", "无法识别日期"),
        (43644.5, "不是日期"),
        (-3, "不是日期"),
    ],
)
def test_bad_dates_are_explained(raw, message):
    with pytest.raises(cells.CellError, match=message):
        cells.date(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("是", True),
        ("否", False),
        ("✓", True),
        ("√", True),
        ("✔", True),
        ("×", False),
        ("", False),
        (None, False),
        ("Y", True),
        ("ｙｅｓ", True),
        (1.0, True),
        (0, False),
        (True, True),
        (" 是 ", True),
    ],
)
def test_booleans(raw, expected):
    assert cells.boolean(raw) is expected


def test_unknown_boolean_is_explained():
    with pytest.raises(cells.CellError, match="是.*否"):
        cells.boolean("也许")


def test_text_cells_lose_line_breaks_and_stray_spaces():
    assert cells.text("  天津市\n大数据  协会 ") == "天津市 大数据 协会"
    assert cells.compact(" 张\u3000三\n") == "张三"
    assert cells.text(12.0) == "12"  # a number Excel stored for a text column


@pytest.mark.parametrize("raw", ["12", "１２", 12.0, " 12 ", "12人", "12.0"])
def test_numbers_stored_as_text(raw):
    assert cells.integer(raw) == 12


VALID_ID = "11010519491231002X"


@pytest.mark.parametrize(
    "raw",
    [
        VALID_ID,
        VALID_ID.lower(),
        "１１０１０５１９４９１２３１００２Ｘ",
        " 110105 19491231 002X\n",
        "110105-19491231-002X",
    ],
)
def test_id_numbers_are_normalised(raw):
    assert cells.id_number(raw) == VALID_ID


@pytest.mark.parametrize(
    "raw", [1.10105194912310e17, "1.10105E+17", "1.10105e+17", "１.１０１０５Ｅ＋１７"]
)
def test_id_numbers_mangled_by_excel_are_refused_with_an_explanation(raw):
    with pytest.raises(cells.CellError) as exc:
        cells.id_number(raw)
    message = str(exc.value)
    assert "当成了数字" in message and "文本" in message and "1.10105E+17" in message


def test_masked_id_number_is_refused():
    with pytest.raises(cells.CellError, match="遮盖"):
        cells.id_number("110105********002X")


def test_wrong_check_digit_is_named():
    with pytest.raises(cells.CellError, match="校验"):
        cells.id_number("110105194912310021")


def test_choices_accept_labels_codes_and_synonyms():
    from dangjian.ledgers import specs

    labels = specs.ledger("members").column("education").labels()
    assert cells.choice("大学本科", labels) == "bachelor"
    assert cells.choice("本科", labels) == "bachelor"
    assert cells.choice("bachelor", labels) == "bachelor"
    assert cells.choice(" 硕士研究生\n", labels) == "master"
    with pytest.raises(cells.CellError, match="不是可选值.*大学本科"):
        cells.choice("博士后", labels)


def test_phone_numbers():
    assert cells.phone(13800138000.0) == "13800138000"
    assert cells.phone("138 0013 8000") == "13800138000"
    assert cells.phone("+86 138-0013-8000") == "13800138000"
    with pytest.raises(cells.CellError):
        cells.phone("没有")
