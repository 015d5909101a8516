"""Format detection, part finding and the documents that are not reports."""

import pytest

from app.parsing.model import ParseError
from app.parsing.sections import find_headings
from app.parsing.text import parse_text

PARTS = """云杉县档案局2021年政府信息公开工作年度报告
一、总体情况
本局全年主动公开信息 40 条。
二、主动公开政府信息情况
三、收到和处理政府信息公开申请情况
四、政府信息公开行政复议、行政诉讼情况
五、存在的主要问题及改进情况
下一步将加强培训。
六、其他需要报告的事项
无。
"""


def test_parts_without_tables_are_a_report_with_a_warning() -> None:
    report = parse_text(PARTS)
    assert report.cells == ()
    assert [s.number for s in report.sections] == [0, 1, 2, 3, 4, 5, 6]
    assert report.sections[0].text == "云杉县档案局2021年政府信息公开工作年度报告"
    assert report.agency == "云杉县档案局"
    assert report.format == "2021"
    assert report.period_start is None and report.period_end is None
    assert "no statistics tables found in the text (they may have been images)" in report.warnings


def test_not_a_report() -> None:
    with pytest.raises(ParseError, match="no annual-report parts"):
        parse_text("今天天气很好。\n明天有雨。")


def test_table_rows_numbered_like_parts_are_not_parts() -> None:
    lines = [
        "三、收到和处理政府信息公开申请情况",
        "三、本年度办理结果\t（一）予以公开\t0",
        "四、结转下年度继续办理\t0",
        "#### 四、因政府信息公开工作被申请行政复议、提起行政诉讼情况",
        "五、存在的主要问题及整改措施",
    ]
    headings = find_headings(lines)
    assert [(h.number, h.line) for h in headings] == [(3, 0), (4, 3), (5, 4)]
    assert headings[1].title == "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况"


REQUESTS_2021 = """四川某局 2020 年政府信息公开工作年度报告
三、收到和处理政府信息公开申请情况
（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）
（六）其他处理\t1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请\t0\t0\t0\t0\t0\t0\t0
\t2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请\t0\t0\t0\t0\t0\t0\t0
\t3.其他\t1\t0\t0\t0\t0\t0\t1
（七）总计\t1\t0\t0\t0\t0\t0\t1
"""


def test_format_follows_the_printed_rows_not_the_year() -> None:
    report = parse_text(REQUESTS_2021)
    assert report.year == 2020
    assert report.format == "2021"
    cells = {(c.row, c.col): c.value for c in report.cells}
    assert cells["other_misc", "total"] == 1
    assert ("other", "total") not in cells
    assert any("row new (" in w and "not found" in w for w in report.warnings)


SINGLE_OTHER = """某局2023年政府信息公开工作年度报告
二、主动公开政府信息情况
第二十条第（一）项
信息内容\t本年制发件数\t本年废止件数\t现行有效件数
规章\t0\t0\t0
三、收到和处理政府信息公开申请情况
（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）
（六）其他处理\t2\t0\t0\t0\t0\t0\t2
（七）总计\t2\t0\t0\t0\t0\t0\t2
"""


def test_2021_report_with_a_single_other_row_stores_it_under_other() -> None:
    report = parse_text(SINGLE_OTHER)
    assert report.format == "2021"
    rows = {c.row for c in report.cells if c.table == "requests"}
    assert "other" in rows
    assert not any(r.startswith("other_") for r in rows)


COLLAPSED = """某局2019年政府信息公开工作年度报告
三、收到和处理政府信息公开申请情况
（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） |
一、本年新收政府信息公开申请数量 |
5 |
2 |
7 |
||||||
二、上年结转政府信息公开申请数量 |
4 |
3 |
||||||
四、政府信息公开行政复议、行政诉讼情况
"""


def test_collapsed_cells_are_not_assigned_by_position() -> None:
    report = parse_text(COLLAPSED)
    cells = {(c.row, c.col): c for c in report.cells}
    assert cells["new", "total"].value == 7
    assert cells["new", "total"].status == "inferred"
    assert cells["new", "natural_person"].status == "unreadable"
    assert {c.status for (row, _), c in cells.items() if row == "carried_over"} == {"unreadable"}


RUN_TOGETHER = """某局2019年政府信息公开工作年度报告
三、收到和处理政府信息公开申请情况
（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）
一、本年新收政府信息公开申请数量 801000081
"""


def test_cells_run_together_are_never_guessed() -> None:
    report = parse_text(RUN_TOGETHER)
    assert {c.status for c in report.cells} == {"unreadable"}
