"""parse_document over each extractor: our fixtures give back every number we put in them."""

from __future__ import annotations

import json

import pytest

from app.parsing.document import DOCX_TYPES, parse_document
from app.parsing.model import ParsedReport
from tests.parsing.extract.extract_helpers import CORPUS, FIXTURES
from tests.parsing.extract.extract_report_values import AGENCY, YEAR, expected_values


def _values(report: ParsedReport) -> dict[str, str]:
    return {f"{cell.table}.{cell.row}.{cell.col}": str(cell.value) for cell in report.cells}


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("yunling-2023.html", "text/html"),
        ("yunling-2023.docx", DOCX_TYPES[0]),
        ("yunling-2023.pdf", "application/pdf"),
    ],
)
def test_fixture_values_survive_extraction_and_parsing(name: str, media_type: str) -> None:
    report = parse_document((FIXTURES / name).read_bytes(), media_type)
    assert report.format == "2021"
    assert report.agency == AGENCY and report.year == YEAR
    expected = {key: str(value) for key, value in expected_values().items()}
    got = _values(report)
    assert {key: got.get(key) for key in expected} == expected


@pytest.mark.shared
@pytest.mark.parametrize(
    ("key", "name", "media_type"),
    [
        ("111", "111.html", "text/html"),
        ("022", "022.pdf", "application/pdf"),
        ("023", "023.pdf", "application/pdf"),
        ("024", "024.pdf", "application/pdf"),
    ],
)
def test_real_reports_match_hand_read_values(key: str, name: str, media_type: str) -> None:
    truth = json.loads((CORPUS / "truth.json").read_text(encoding="utf-8"))[key]
    report = parse_document((CORPUS / name).read_bytes(), media_type)
    got = _values(report)
    expected = {cell: str(value) for cell, value in truth["values"].items()}
    assert {cell: got.get(cell) for cell in expected} == expected
