"""Real reports in ../shared/corpus, every file of every kind, against their hand-read values.

Never a wrong number; `-s` prints each file's exact / missing / wrong figures.
"""

import json

import pytest

from app.parsing.document import media_type_for, parse_document
from app.parsing.model import ParseError
from tests.conftest import shared_path

CORPUS = shared_path("corpus")
TRUTH = CORPUS / "truth.json"

pytestmark = pytest.mark.shared


def _files() -> list[tuple[str, str]]:
    if not TRUTH.exists():
        return []
    truth = json.loads(TRUTH.read_text(encoding="utf-8"))
    return [(report_id, name) for report_id, entry in truth.items() for name in entry["files"]]


@pytest.mark.parametrize(("report_id", "name"), _files())
def test_corpus_file_has_no_wrong_values(report_id: str, name: str) -> None:
    entry = json.loads(TRUTH.read_text(encoding="utf-8"))[report_id]
    media_type = media_type_for(name, None)
    assert media_type is not None
    try:
        report = parse_document((CORPUS / name).read_bytes(), media_type)
    except ParseError:
        pytest.fail(f"{name} is a report but was rejected")
    got = {f"{c.table}.{c.row}.{c.col}": c.value for c in report.cells}
    exact = [k for k, v in entry["values"].items() if got.get(k) is not None and got[k] == v]
    missing = [k for k in entry["values"] if got.get(k) is None]
    wrong = {k: (v, got[k]) for k, v in entry["values"].items() if k not in exact + missing}
    print(f"{name}: exact {len(exact)}, missing {len(missing)}, wrong {len(wrong)}")
    assert wrong == {}
    assert report.format == entry["format"]
    if isinstance(entry["year"], int):
        assert report.year in (entry["year"], None)


def test_complete_reports_are_read_in_full() -> None:
    """Every value of every complete report, in every representation.

    022.txt prints table 四's values in pieces whose row totals fit every row equally well; its
    prose (行政复议 351 件 …) and the title 复议后起诉 printed before one piece settle the order.
    """
    truth = json.loads(TRUTH.read_text(encoding="utf-8"))
    for report_id, entry in truth.items():
        for name in entry["files"]:
            if not entry["complete"]:
                continue
            media_type = media_type_for(name, None)
            assert media_type is not None
            report = parse_document((CORPUS / name).read_bytes(), media_type)
            got = {f"{c.table}.{c.row}.{c.col}": c.value for c in report.cells}
            assert {k: got.get(k) for k in entry["values"]} == entry["values"], report_id
