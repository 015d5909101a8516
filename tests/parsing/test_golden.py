"""Whole reports of a fictional agency in the layouts real reports use, against expected values."""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from app.catalog import cell_keys
from app.parsing.decode import decode_text
from app.parsing.model import ParsedReport
from app.parsing.text import parse_text

FIXTURES = Path(__file__).parent / "fixtures"

CASES = [
    ("qinghe_2019_tabs.txt", "2019_expected.json"),
    ("qinghe_2021_tabs.txt", "2021_expected.json"),
    ("qinghe_2021_pipes.md", "2021_expected.json"),
    ("qinghe_2021_cell_per_line.txt", "2021_expected.json"),
    ("qinghe_2021_gb18030.txt", "2021_expected.json"),
]


def _parse(name: str) -> ParsedReport:
    return parse_text(decode_text((FIXTURES / name).read_bytes()))


@pytest.mark.parametrize(("name", "expected_name"), CASES)
def test_golden_report(name: str, expected_name: str) -> None:
    expected = json.loads((FIXTURES / expected_name).read_text(encoding="utf-8"))
    report = _parse(name)
    assert report.agency == expected["agency"]
    assert report.year == expected["year"]
    assert report.format == expected["format"]
    assert report.title == expected["title"]
    assert report.contact_phone == expected["contact_phone"]
    assert report.region_hints.place_names == ("青禾市", "云岭区")
    assert report.region_hints.phone_area_code == "0871"
    assert [s.number for s in report.sections] == [0, 1, 2, 3, 4, 5, 6]
    got = {f"{c.table}.{c.row}.{c.col}": c for c in report.cells}
    assert set(got) == {".".join(k) for k in cell_keys(report.format)}
    for key, value in expected["values"].items():
        cell = got[key]
        want = Decimal(value) if isinstance(value, str) else value
        assert (key, cell.value, cell.status) == (key, want, "number")
        assert type(cell.value) is type(want)
    assert report.warnings == ()


def test_units_and_signs_keep_their_raw_text() -> None:
    cells = {(c.row, c.col): c for c in _parse("qinghe_2019_tabs.txt").cells}
    assert cells["procurement", "amount"].raw == "251000元"
    assert cells["procurement", "amount"].unit == "元"
    assert cells["other_services", "change"].raw == "减2"
    assert cells["licensing", "change"].value == 3


def test_period_and_sections() -> None:
    report = _parse("qinghe_2021_pipes.md")
    assert str(report.period_start) == "2022-01-01"
    assert str(report.period_end) == "2022-12-31"
    preamble, overview = report.sections[:2]
    assert (preamble.key, preamble.title) == ("preamble", "")
    assert "年度报告" in preamble.text
    assert overview.title == "一、总体情况"
    assert overview.text.splitlines() == [
        "2022 年，本局持续推进数据资源目录公开，主动公开各类信息 402 条。",
        "依申请公开方面，全年收到申请 37 件，均在法定期限内答复。",
    ]
    assert report.sections[3].text == ""
    assert report.sections[6].text == "本年度收取信息处理费 0 元。"
