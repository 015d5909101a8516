"""Arbitrary input never crashes the parser, and a seed-sized report parses quickly."""

import contextlib
import time
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from app.parsing.model import ParseError
from app.parsing.text import parse_text

FIXTURE = Path(__file__).parent / "fixtures" / "qinghe_2019_tabs.txt"
_PIECES = st.sampled_from(
    [
        "一、总体情况",
        "三、",
        "（六）其他处理",
        "第二十条",
        "|",
        "\t",
        "\n",
        " ",
        "0",
        "12",
        "减4",
        "-",
        "------",
        "（七）总计",
        "行政复议",
        "元",
        "2020年",
        "统计期限自2020年1月1日至2020年2月30日",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES | st.text(max_size=20), max_size=60).map("".join))
def test_arbitrary_text_parses_or_raises_parse_error(text: str) -> None:
    with contextlib.suppress(ParseError):
        parse_text(text)


def test_long_pathological_lines_stay_fast() -> None:
    text = "一、总体情况\n" + ("0 " * 20000) + "\n" + ("|" * 20000) + "\n" + ("（" * 5000)
    start = time.perf_counter()
    parse_text(text)
    assert time.perf_counter() - start < 2
