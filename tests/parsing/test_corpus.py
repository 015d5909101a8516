"""Real reports in ../shared/corpus against their hand-read values: never a wrong number."""

import json
from pathlib import Path

import pytest

from app.parsing.model import ParseError
from app.parsing.text import parse_text

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
TRUTH = CORPUS / "truth.json"

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(
        not TRUTH.exists(), reason=f"the shared corpus is not checked out at {CORPUS}"
    ),
]


def _text_files() -> list[tuple[str, str]]:
    if not TRUTH.exists():
        return []
    truth = json.loads(TRUTH.read_text(encoding="utf-8"))
    return [
        (report_id, name)
        for report_id, entry in truth.items()
        for name in entry["files"]
        if name.endswith((".txt", ".md"))
    ]


@pytest.mark.parametrize(("report_id", "name"), _text_files())
def test_corpus_file_has_no_wrong_values(report_id: str, name: str) -> None:
    entry = json.loads(TRUTH.read_text(encoding="utf-8"))[report_id]
    try:
        report = parse_text((CORPUS / name).read_text(encoding="utf-8"))
    except ParseError:
        pytest.fail(f"{name} is a report but was rejected")
    got = {f"{c.table}.{c.row}.{c.col}": c.value for c in report.cells}
    exact = [k for k, v in entry["values"].items() if got.get(k) == v]
    missing = [k for k in entry["values"] if got.get(k) is None]
    wrong = {k: (v, got[k]) for k, v in entry["values"].items() if k not in exact + missing}
    print(f"{name}: exact {len(exact)}, missing {len(missing)}, wrong {len(wrong)}")
    assert wrong == {}
    assert report.format == entry["format"]
    if isinstance(entry["year"], int):
        assert report.year in (entry["year"], None)
