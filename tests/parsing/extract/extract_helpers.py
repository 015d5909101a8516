"""Shared paths and table checks for the extractor tests."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import shared_path
from tests.parsing.extract.extract_report_values import REQUEST_ROWS, request_row

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CORPUS = shared_path("corpus")  # for tests marked `shared`


def rows_of(text: str) -> list[list[str]]:
    return [line.split("\t") for line in text.splitlines() if "\t" in line]


def find_row(text: str, label: str) -> list[str]:
    """The first table row holding a cell equal to `label`, from that cell on."""
    for cells in rows_of(text):
        if label in cells:
            return cells[cells.index(label) :]
    raise AssertionError(f"no table row labelled {label!r}")


def assert_report_tables(text: str) -> None:
    """Our fixture's three tables, row by row, as tab-separated grid lines."""
    assert find_row(text, "规章")[:4] == ["规章", "2", "1", "9"]
    assert find_row(text, "行政规范性文件")[:4] == ["行政规范性文件", "12", "3", "47"]
    assert find_row(text, "行政许可")[:2] == ["行政许可", "1358"]
    assert find_row(text, "行政事业性收费")[:2] == ["行政事业性收费", "12.35"]

    rows = rows_of(text)
    header = next(cells for cells in rows if "商业企业" in cells)
    assert [cell for cell in header if cell] == [
        "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"
    ]  # fmt: skip
    new = find_row(text, "一、本年新收政府信息公开申请数量")
    assert len(new) == 10 and new[3:] == request_row("new")
    assert len(header) == 10
    granted = find_row(text, "（一）予以公开")
    assert granted[2:] == request_row("granted")
    assert find_row(text, "三、本年度办理结果")[1] == "（一）予以公开"
    assert find_row(text, "4.保护第三方合法权益")[1:] == request_row("denied_third_party")
    assert find_row(text, "（七）总计")[2:] == request_row("processed_total")
    assert find_row(text, "四、结转下年度继续办理")[3:] == request_row("carried_forward")
    numbered = [cells for cells in rows if len(cells) == 10 and cells[-1].isdigit()]
    assert len(numbered) == len(REQUEST_ROWS)

    reviews = next(cells for cells in rows if len(cells) == 15 and all(c.isdigit() for c in cells))
    assert reviews == ["2", "1", "0", "1", "4", "1", "0", "1", "0", "2", "0", "0", "0", "1", "1"]
