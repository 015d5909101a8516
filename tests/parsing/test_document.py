"""parse_document: the declared media type is checked against what the bytes really are."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.parsing.document import DOCX_TYPES, UnsupportedMediaType, media_type_for, parse_document
from app.parsing.model import ParseError

FIXTURES = Path(__file__).parent / "fixtures"
EXTRACT = Path(__file__).parent / "extract" / "fixtures"
PDF = (EXTRACT / "yunling-2023.pdf").read_bytes()
DOCX = (EXTRACT / "yunling-2023.docx").read_bytes()
HTML = (EXTRACT / "yunling-2023.html").read_bytes()
TEXT = (FIXTURES / "qinghe_2021_tabs.txt").read_bytes()


@pytest.mark.parametrize(
    ("data", "declared", "says"),
    [
        (PDF, "text/plain", "PDF"),
        (PDF, "text/markdown", "PDF"),
        (PDF, "text/html", "PDF"),
        (HTML, "application/pdf", "not a PDF"),
        (TEXT, "application/pdf", "not a PDF"),
        (DOCX, "text/markdown", "DOCX"),
        (DOCX, "application/pdf", "not a PDF"),
        (PDF, DOCX_TYPES[0], "not one"),
        (TEXT, "image/png", "not supported"),
    ],
)
def test_content_of_another_kind_is_refused(data: bytes, declared: str, says: str) -> None:
    with pytest.raises(UnsupportedMediaType, match=says):
        parse_document(data, declared)


def test_unsupported_media_type_is_a_parse_error() -> None:
    assert issubclass(UnsupportedMediaType, ParseError)


@pytest.mark.parametrize(
    ("filename", "declared", "expected"),
    [
        ("report.pdf", None, "application/pdf"),
        ("report.PDF", "application/octet-stream", "application/pdf"),
        ("report.md", None, "text/markdown"),
        ("report.shtml", None, "text/html"),
        ("report.docx", None, DOCX_TYPES[0]),
        ("report.txt", "text/html; charset=utf-8", "text/html"),
        (None, None, None),
    ],
)
def test_media_type_from_declaration_or_name(
    filename: str | None, declared: str | None, expected: str | None
) -> None:
    assert media_type_for(filename, declared) == expected


def test_html_sent_as_plain_text_is_read_as_html() -> None:
    report = parse_document(HTML, "text/plain")
    assert report.year == 2023 and report.cells


def test_tables_as_images_give_sections_and_a_warning() -> None:
    text = "\n".join(
        [
            "青禾市云岭区数据资源管理局2023年政府信息公开工作年度报告",
            "一、总体情况",
            "本局全年主动公开信息 120 条。",
            "二、主动公开政府信息情况",
            "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况",
            "五、存在的主要问题及改进情况",
            "公开内容仍需细化。",
            "六、其他需要报告的事项",
            "无。",
        ]
    )
    report = parse_document(text.encode(), "text/plain")
    assert report.cells == ()
    assert [s.number for s in report.sections] == [0, 1, 2, 3, 4, 5, 6]
    assert any("may have been images" in w for w in report.warnings)


def test_neither_parts_nor_tables_says_what_was_looked_for() -> None:
    with pytest.raises(ParseError, match="一、总体情况"):
        parse_document("今天天气很好。\n明天也不错。".encode(), "text/plain")


def test_empty_document_is_refused() -> None:
    with pytest.raises(ParseError, match="empty"):
        parse_document(b"  \n", "text/plain")
