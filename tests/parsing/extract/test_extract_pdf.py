"""pdf_to_text on our PDF, the real published PDFs, and broken or hostile files."""

from __future__ import annotations

import contextlib
import time

import pytest

from app.parsing.extract.pdf import pdf_to_text
from app.parsing.model import ParseError
from tests.parsing.extract.extract_helpers import (
    CORPUS,
    FIXTURES,
    assert_report_tables,
    find_row,
)


def test_our_pdf_tables_come_out_as_grid_rows() -> None:
    text = pdf_to_text((FIXTURES / "yunling-2023.pdf").read_bytes())
    assert_report_tables(text)
    assert "一、总体情况" in text.splitlines()


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n",
        b"%PDF-1.4\n" + bytes(range(256)) * 40,
        b"\x00\x01garbage",
    ],
)
def test_broken_pdf_is_an_error(data: bytes) -> None:
    with pytest.raises(ParseError, match="PDF"):
        pdf_to_text(data)


def test_truncated_pdf_is_an_error_or_partial_text() -> None:
    data = (FIXTURES / "yunling-2023.pdf").read_bytes()
    started = time.perf_counter()
    with contextlib.suppress(ParseError):
        pdf_to_text(data[: len(data) // 3])
    assert time.perf_counter() - started < 5


def _blank_pdf(pages: int) -> bytes:
    """A minimal valid PDF of empty pages, with a correct cross-reference table."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{3 + index} 0 R" for index in range(pages))
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode())
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] >>"] * pages
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def test_too_many_pages_is_an_error() -> None:
    with pytest.raises(ParseError, match="pages"):
        pdf_to_text(_blank_pdf(1000))


def test_pdf_without_text_layer_is_an_error() -> None:
    with pytest.raises(ParseError, match="no text layer"):
        pdf_to_text(_blank_pdf(2))


@pytest.mark.shared
@pytest.mark.parametrize(
    ("name", "new_row", "reviews"),
    [
        ("022", ["3001", "53", "0", "0", "61", "4", "3119"], "72\t64\t178\t37\t351"),
        ("023", ["21", "0", "0", "0", "0", "0", "21"], "10\t1\t0\t0\t0"),
        ("024", ["95", "0", "0", "0", "0", "0", "95"], "1\t1\t0\t0\t2"),
    ],
)
def test_real_pdfs_give_grid_rows(name: str, new_row: list[str], reviews: str) -> None:
    text = pdf_to_text((CORPUS / f"{name}.pdf").read_bytes())
    assert find_row(text, "一、本年新收政府信息公开申请数量")[3:] == new_row
    assert find_row(text, "三、本年度办理结果")[1] == "（一）予以公开"
    assert any(line.startswith(reviews) for line in text.splitlines())
    assert not any(line.strip("-— ").isdigit() for line in text.splitlines())
