"""Our fictional reports in every layout real reports arrive in, against what a reader is sure of.

The fixtures and their expectations are written by fixtures/layouts/make_layouts.py.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from app.parsing.decode import decode_text
from app.parsing.model import ParsedCell
from app.parsing.text import parse_text

FIXTURES = Path(__file__).parent / "fixtures"
LAYOUTS = FIXTURES / "layouts"
NAMES = sorted(p.name.removesuffix(".expected.json") for p in LAYOUTS.glob("*.expected.json"))


def _as_number(value: object) -> object:
    return Decimal(value) if isinstance(value, str) else value


@pytest.mark.parametrize("name", NAMES)
def test_layout_gives_what_a_reader_is_sure_of(name: str) -> None:
    expected = json.loads((LAYOUTS / f"{name}.expected.json").read_text(encoding="utf-8"))
    printed = json.loads((FIXTURES / expected["base"]).read_text(encoding="utf-8"))
    report = parse_text(decode_text((LAYOUTS / name).read_bytes()))
    cells: dict[str, ParsedCell] = {f"{c.table}.{c.row}.{c.col}": c for c in report.cells}
    exact = {k: _as_number(v) for k, v in expected.get("exact", {}).items()}
    truth = {k: _as_number(v) for k, v in printed["values"].items()} | exact

    wrong = {
        key: (cell.value, truth.get(key))
        for key, cell in cells.items()
        if cell.value is not None and key in truth and cell.value != truth[key]
    }
    assert wrong == {}, "a value differs from what the report prints"
    absent = expected.get("absent", [])
    if expected["values"] == "all":
        row_gone = {key.rsplit(".", 1)[0] for key in absent}
        wanted = [key for key in truth if key.rsplit(".", 1)[0] not in row_gone]
    else:
        wanted = [*expected["values"], *exact]
    missing = [key for key in wanted if key not in cells or cells[key].value is None]
    assert missing == []
    for key in absent:
        assert key not in cells or cells[key].value is None, key
        if key in cells:
            assert cells[key].status == "unreadable"
    for needle in expected.get("warnings", []):
        assert any(needle in warning for warning in report.warnings), needle
    assert report.format == printed["format"]
    assert report.year == expected.get("year", printed["year"])
    if "other_total" in expected:
        assert cells["requests.other.total"].value == expected["other_total"]
    for cell in cells.values():
        assert (cell.value is None) == (cell.status in ("blank", "not_applicable", "unreadable"))
