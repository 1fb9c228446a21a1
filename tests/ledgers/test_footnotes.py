"""Notes under the table (填表说明 after an empty row, as real templates have them) are not data
rows: they are left out with a notice; a note-like row with data below it is reported as such;
a data row after an empty row is still read."""

import pytest

from dangjian.ledgers import reader
from dangjian.registry.models import Organization

from .conftest import make_uscc
from .helpers import commit, errors_by_row, upload, write_xlsx

pytestmark = pytest.mark.django_db
HEADERS = ["单位名称", "统一社会信用代码", "法人类型", "单位类别"]


def unit(n, name):
    return [name, make_uscc(n), "社会团体", "协会"]


def test_footnote_after_an_empty_row_is_left_out(world, tmp_path):
    rows = [
        HEADERS,
        unit(3, "测试丙协会"),
        unit(4, "测试丁协会"),
        [],
        ["填表说明：1. 带*号的列为必填；2. 日期写作 2019-06-28。"],
        ["2. 统一社会信用代码为 18 位。"],
        [],
        ["填表人：", "张三", None, "审核人：", "李四"],
    ]
    item = upload(world, write_xlsx(tmp_path / "u.xlsx", rows), "organizations")
    assert item.counts == {"new": 2, "changed": 0, "unchanged": 0, "invalid": 0, "rows": 2}
    assert item.preview["notices"] == [
        "第 5、6、8 行在空行之后，只有说明文字（如“填表说明”），没有作为数据读取。"
    ]
    item = commit(world, item)  # all-or-nothing: not blocked by the notes
    assert item.status == item.Status.COMMITTED
    assert item.preview["notices"] == [
        "第 5、6、8 行在空行之后，只有说明文字（如“填表说明”），没有作为数据读取。"
    ]
    assert Organization.objects.filter(name__in=["测试丙协会", "测试丁协会"]).count() == 2


def test_a_data_row_after_an_empty_row_is_still_read(world, tmp_path):
    rows = [HEADERS, unit(3, "测试丙协会"), [], [], unit(4, "测试丁协会")]
    item = upload(world, write_xlsx(tmp_path / "u.xlsx", rows), "organizations")
    assert item.counts["new"] == 2 and item.preview["notices"] == []


def test_a_note_with_data_below_it_is_reported_as_a_note(world, tmp_path):
    rows = [HEADERS, unit(3, "测试丙协会"), [], ["注：以下为补录的单位"], unit(4, "测试丁协会")]
    item = upload(world, write_xlsx(tmp_path / "u.xlsx", rows), "organizations")
    assert item.counts == {"new": 2, "changed": 0, "unchanged": 0, "invalid": 1, "rows": 3}
    assert errors_by_row(item) == {
        4: {
            "_": "此行在空行之后，像是说明文字，但下面还有数据行。请删除此行，"
            "或把说明移到最后一行数据的下方。"
        }
    }


def test_a_note_right_under_the_data_is_read_as_data(world, tmp_path):
    """Only an empty row separates notes from the table: a line directly under the last row
    is data (and its errors are shown), as a person reading the sheet would take it."""
    rows = [HEADERS, unit(3, "测试丙协会"), ["注：以上为本年度新增单位"]]
    item = upload(world, write_xlsx(tmp_path / "u.xlsx", rows), "organizations")
    assert item.counts["invalid"] == 1
    assert set(errors_by_row(item)[3]) == {"uscc", "legal_form", "category"}


@pytest.mark.parametrize(
    ("values", "note"),
    [
        (["填表说明"], True),
        (["注1：日期格式"], True),
        (["备注:", "", "见附件"], True),
        (["说明、本表由秘书处填写", "x"], True),
        ([None, "", "制表人：王五"], True),
        (["某协会", "说明：x"], False),
        (["注册会计师协会", make_uscc(5)], False),
        (["", "只有第二列"], False),
    ],
)
def test_what_counts_as_a_note(values, note):
    assert reader.is_note(values) is note
