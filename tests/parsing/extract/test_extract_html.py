"""html_to_text on our page, on the real Word-exported page, and on hostile input."""

from __future__ import annotations

import time

import pytest

from app.parsing.extract.html import html_to_text
from app.parsing.model import DocumentTooLarge, ParseError
from tests.parsing.extract.extract_helpers import (
    CORPUS,
    FIXTURES,
    assert_report_tables,
    find_row,
)
from tests.parsing.extract.extract_report_values import TITLE


def test_our_page_tables_come_out_as_grid_rows() -> None:
    text = html_to_text((FIXTURES / "yunling-2023.html").read_text(encoding="utf-8"))
    assert_report_tables(text)


def test_our_page_drops_chrome_and_keeps_prose() -> None:
    text = html_to_text((FIXTURES / "yunling-2023.html").read_text(encoding="utf-8"))
    lines = text.splitlines()
    assert lines[0] == TITLE
    assert "siteId" not in text and "当前位置" not in text and "首页" not in text
    assert "一、总体情况" in lines and "六、其他需要报告的事项" in lines
    assert all("\u3000" not in line and "\xa0" not in line for line in lines)


def test_labels_split_over_spans_and_breaks_are_joined() -> None:
    html = (
        "<table><tr><td><span>申请人情</span><span>况</span></td>"
        "<td>本年新<br />制作数量</td><td>总<br>计</td><td>Times<br>New</td></tr>"
        "<tr><td>&nbsp;</td><td><o:p>\u3000</o:p></td><td> 7 </td><td>1</td></tr></table>"
    )
    rows = [line.split("\t") for line in html_to_text(html).splitlines()]
    assert rows == [["申请人情况", "本年新制作数量", "总计", "Times New"], ["", "", "7", "1"]]


def test_rowspan_and_colspan_expand_to_a_grid() -> None:
    html = (
        "<table><tr><td rowspan='2' colspan='2'>A</td><td>B</td></tr>"
        "<tr><td>C</td></tr><tr><td>D</td><td colspan='2'>E</td></tr></table>"
    )
    assert html_to_text(html).splitlines() == ["A\t\tB", "\t\tC", "D\tE\t"]


def test_br_in_prose_breaks_the_line() -> None:
    assert html_to_text("<p>第一行<br>第二行</p><div>第三行</div>").splitlines() == [
        "第一行",
        "第二行",
        "第三行",
    ]


def test_layout_table_holding_a_table_reads_as_blocks() -> None:
    inner = "<table><tr><td>规章</td><td>3</td></tr></table>"
    html = f"<table><tr><td><p>标题</p>{inner}</td></tr></table>"
    assert html_to_text(html).splitlines() == ["标题", "规章\t3"]


def test_deep_nesting_is_refused_quickly() -> None:
    html = "<html><body>" + "<div>" * 10_000 + "深处" + "</div>" * 10_000 + "</body></html>"
    started = time.perf_counter()
    with pytest.raises(ParseError, match="nested too deeply"):
        html_to_text(html)
    assert time.perf_counter() - started < 2


def test_moderate_nesting_keeps_its_text() -> None:
    html = "<html><body>" + "<div><span>" * 100 + "深处" + "</span></div>" * 100 + "</body></html>"
    assert html_to_text(html) == "深处\n"


def test_spans_read_ascii_digits_only() -> None:
    # "²" and "٣" are digits to str.isdigit but not to int(): they once crashed the reader.
    html = (
        "<table><tr><td colspan='²'>A</td><td rowspan='٣x'>B</td></tr><tr><td>C</td></tr></table>"
    )
    assert html_to_text(html).splitlines() == ["A\tB", "C\t"]


def test_huge_spans_are_refused() -> None:
    html = "<table>" + "<tr><td colspan='1000' rowspan='65534'>x</td></tr>" * 2000 + "</table>"
    with pytest.raises(DocumentTooLarge, match="grid cells"):
        html_to_text(html)


@pytest.mark.parametrize("html", ["", "<html><body><script>var a=1;</script></body></html>"])
def test_page_without_text_is_an_error(html: str) -> None:
    with pytest.raises(ParseError):
        html_to_text(html)


@pytest.mark.shared
def test_real_word_exported_page() -> None:
    text = html_to_text((CORPUS / "111.html").read_text(encoding="utf-8"))
    assert find_row(text, "一、本年新收政府信息公开申请数量") == [
        "一、本年新收政府信息公开申请数量", "", "", "26", "", "", "", "", "", "26"
    ]  # fmt: skip
    assert "申请人情况" in text and "function time()" not in text
    assert find_row(text, "三、本年度办理结果")[1] == "（一）予以公开"
