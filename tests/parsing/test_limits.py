"""Documents far larger than any report are refused quickly, saying what was counted; reports
never are.
"""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from app.parsing.document import media_type_for, parse_document
from app.parsing.extract.pdf import pdf_to_text
from app.parsing.limits import (
    DOCX_PARAGRAPHS,
    HTML_ELEMENTS,
    PDF_PAGES,
    TABLE_CELLS,
    TEXT_CHARS,
    TEXT_LINES,
    Bound,
)
from app.parsing.model import DocumentTooLarge, ParseError
from tests import hostile
from tests.conftest import EXAMPLES, SHARED, shared_path

HERE = Path(__file__).parent
# Loose: the point is seconds rather than the minute the largest of these once took.
SECONDS = 10
AGENCY = "青禾市云岭区数据资源管理局"


def _refused(data: bytes, media_type: str) -> str:
    """The message of the DocumentTooLarge that parsing `data` raises, within SECONDS."""
    started = time.perf_counter()
    with pytest.raises(DocumentTooLarge) as refused:
        parse_document(data, media_type)
    assert time.perf_counter() - started < SECONDS
    return str(refused.value)


def _names(bound: Bound, count: int, message: str) -> None:
    assert f" {count:,} {bound.unit};" in message
    assert message.endswith(f"(limit {bound.limit:,})")


def test_a_million_rows_of_text() -> None:
    data = hostile.million_row_text()
    assert 18_000_000 < len(data) < 20 * 1024 * 1024  # under the upload limit
    _names(TEXT_LINES, 1_000_002, _refused(data, "text/plain"))


def test_a_million_rows_with_carriage_returns_or_in_gb18030() -> None:
    data = hostile.million_row_text()
    _names(TEXT_LINES, 1_000_002, _refused(data.replace(b"\n", b"\r"), "text/plain"))
    _names(TEXT_LINES, 1_000_002, _refused(data.decode().encode("gb18030"), "text/markdown"))


def test_megabytes_on_one_line() -> None:
    data = hostile.million_row_text().replace(b"\n", b" ")
    _names(TEXT_CHARS, len(data.decode()), _refused(data, "text/plain"))


def test_two_hundred_pages() -> None:
    _names(PDF_PAGES, 200, _refused(hostile.many_page_pdf(), "application/pdf"))


def test_a_hundred_thousand_word_table_cells() -> None:
    _names(TABLE_CELLS, 100_000, _refused(hostile.huge_docx(), hostile.DOCX_MEDIA_TYPE))


def test_word_paragraphs() -> None:
    data = hostile.huge_docx(cells=10, paragraphs=60_000)
    # The title, the prose, the heading, and one in each of the table's ten cells.
    _names(DOCX_PARAGRAPHS, 60_012, _refused(data, hostile.DOCX_MEDIA_TYPE))


def test_word_cells_under_another_prefix_are_counted_in_the_tree() -> None:
    with zipfile.ZipFile(io.BytesIO(hostile.huge_docx(cells=30_000))) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    xml = parts["word/document.xml"].replace(b"xmlns:w=", b"xmlns:ns0=")
    parts["word/document.xml"] = xml.replace(b"w:", b"ns0:")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, part in parts.items():
            archive.writestr(name, part)
    _names(TABLE_CELLS, 30_000, _refused(buffer.getvalue(), hostile.DOCX_MEDIA_TYPE))


def test_a_large_html_table() -> None:
    # 100,000 rows of eight cells: the elements outnumber every bound first.
    _names(HTML_ELEMENTS, 900_008, _refused(hostile.large_html_table(), "text/html"))


def test_html_table_cells() -> None:
    # 3,000 rows: 24,000 cells in 27,008 elements.
    _names(TABLE_CELLS, 24_000, _refused(hostile.large_html_table(3_000), "text/html"))


def test_html_cells_in_mixed_case_are_counted_in_the_tree() -> None:
    data = hostile.large_html_table(3_000).replace(b"<td>", b"<Td>")
    _names(TABLE_CELLS, 24_000, _refused(data, "text/html"))


@pytest.mark.parametrize(
    ("generate", "media_type"),
    [
        (lambda: hostile.million_row_text(1_000), "text/plain"),
        (lambda: hostile.huge_docx(cells=1_000), hostile.DOCX_MEDIA_TYPE),
        (lambda: hostile.large_html_table(100), "text/html"),
    ],
    ids=["text", "docx", "html"],
)
def test_the_same_documents_at_a_report_size_are_read(
    generate: Callable[[], bytes], media_type: str
) -> None:
    """Below the bounds the generated documents parse: a title the ingest accepts, no tables."""
    report = parse_document(generate(), media_type)
    assert (report.agency, report.year) == (AGENCY, 2020)


def test_the_generated_pdf_has_text_to_read() -> None:
    text = pdf_to_text(hostile.many_page_pdf(pages=2))
    assert "Qinghe Yunling" in text
    assert text.count("\n") > 90  # a title and 45 rows a page


def test_generating_is_deterministic() -> None:
    assert hostile.huge_docx(cells=100) == hostile.huge_docx(cells=100)
    assert hostile.million_row_text(5_000) == hostile.million_row_text(5_000)


def _documents(*roots: Path) -> list[Path]:
    suffixes = {".txt", ".md", ".html", ".pdf", ".docx"}
    return sorted(
        path
        for root in roots
        for path in root.rglob("*")
        if path.suffix in suffixes and path.name != "README.md"
    )


OURS = _documents(EXAMPLES, HERE / "fixtures", HERE / "extract" / "fixtures")
SHARED_DOCUMENTS = _documents(SHARED / "corpus", SHARED / "seed") if SHARED.exists() else []


def _parses_within_bounds(path: Path) -> None:
    media_type = media_type_for(path.name, None)
    assert media_type is not None
    try:
        parse_document(path.read_bytes(), media_type)
    except DocumentTooLarge as error:
        pytest.fail(f"{path.name} was refused as too large: {error}")
    except ParseError:
        pass  # a partial page or a blank template may not read as a report; that is not size


@pytest.mark.parametrize("path", OURS, ids=lambda path: path.name)
def test_our_documents_are_within_bounds(path: Path) -> None:
    _parses_within_bounds(path)


@pytest.mark.shared
@pytest.mark.parametrize("name", [path.name for path in SHARED_DOCUMENTS] or ["(absent)"], ids=str)
def test_real_reports_are_within_bounds(name: str) -> None:
    folder = "seed" if name.startswith("000_") else "corpus"
    _parses_within_bounds(shared_path(folder, name))
