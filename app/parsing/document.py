"""A document's bytes in, a ParsedReport out: media type check, decoding, extraction, parsing."""

from __future__ import annotations

from app.parsing.decode import decode_bytes, decode_text
from app.parsing.identity import DocumentClues
from app.parsing.limits import TEXT_LINES, count_lines
from app.parsing.model import ParsedReport, ParseError
from app.parsing.text import parse_text

TEXT_TYPES = ("text/plain", "text/markdown")
HTML_TYPES = ("text/html", "application/xhtml+xml")
PDF_TYPES = ("application/pdf",)
DOCX_TYPES = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",)
XLSX_TYPES = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",)
SUPPORTED_MEDIA_TYPES = TEXT_TYPES + HTML_TYPES + PDF_TYPES + DOCX_TYPES + XLSX_TYPES

_BY_SUFFIX = {
    ".txt": "text/plain",
    ".text": "text/plain",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".html": "text/html",
    ".htm": "text/html",
    ".shtml": "text/html",
    ".xhtml": "application/xhtml+xml",
    ".pdf": "application/pdf",
    ".docx": DOCX_TYPES[0],
    ".xlsx": XLSX_TYPES[0],
}


class UnsupportedMediaType(ParseError):
    """The media type is not one gkstats reads, or the content is of another kind."""


def media_type_for(filename: str | None, declared: str | None) -> str | None:
    """The media type to read a document as: the declared one, else the file name's suffix."""
    if declared:
        base = declared.split(";", 1)[0].strip().lower()
        if base and base not in ("application/octet-stream", "multipart/form-data"):
            return base
    if filename:
        lower = filename.lower()
        for suffix, media in _BY_SUFFIX.items():
            if lower.endswith(suffix):
                return media
    return None


def sniff(data: bytes) -> str:
    head = data[:1024].lstrip()
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        start = data[:65536]
        if b"word/" in start:
            return "docx"
        if b"xl/" in start:
            return "xlsx"
        return "docx" if b"[Content_Types].xml" in data[:4096] else "zip"
    lowered = head.lower()
    if (
        lowered.startswith((b"<!doctype html", b"<html", b"<?xml"))
        or b"<table" in data[:200_000].lower()
    ):
        return "html"
    return "text"


def parse_document(data: bytes, media_type: str, filename: str | None = None) -> ParsedReport:
    """Parse one document of the given media type; raise ParseError saying what went wrong.

    `filename`, where known, is one more (least trusted) clue to the agency and year.
    """
    declared, _, parameters = media_type.partition(";")
    media_type = declared.strip().lower()
    charset = _charset(parameters)
    if media_type not in SUPPORTED_MEDIA_TYPES:
        raise UnsupportedMediaType(
            f"media type {media_type!r} is not supported; send one of: "
            + ", ".join(SUPPORTED_MEDIA_TYPES)
        )
    if not data.strip():
        raise ParseError("the document is empty")
    kind = sniff(data)
    if media_type in PDF_TYPES:
        if kind != "pdf":
            raise UnsupportedMediaType("declared application/pdf but the content is not a PDF")
        from app.parsing.extract.pdf import pdf_properties, pdf_to_text

        text = pdf_to_text(data)
        return parse_text(text, DocumentClues(pdf_properties(data), filename))
    if media_type in DOCX_TYPES:
        if kind != "docx":
            raise UnsupportedMediaType("declared a Word (DOCX) document but the content is not one")
        from app.parsing.extract.docx import docx_properties, docx_to_text

        text = docx_to_text(data)
        return parse_text(text, DocumentClues(docx_properties(data), filename))
    if media_type in XLSX_TYPES:
        if kind != "xlsx":
            raise UnsupportedMediaType(
                "declared an Excel (XLSX) workbook but the content is not one"
            )
        from app.parsing.extract.xlsx import xlsx_to_text

        return parse_text(xlsx_to_text(data), DocumentClues(filename=filename))
    if kind in ("pdf", "docx", "xlsx", "zip"):
        raise UnsupportedMediaType(
            f"declared {media_type} but the content is a {kind.upper()} file; "
            "send it with its own media type"
        )
    if media_type in HTML_TYPES or (media_type == "text/plain" and kind == "html"):
        from app.parsing.extract.html import html_titles, html_to_text

        html = decode_text(data, charset)
        text = html_to_text(html)
        return parse_text(text, DocumentClues(html_titles(html), filename))
    # Lines are counted in the bytes: a text of a million rows is refused before it is decoded.
    TEXT_LINES.check(count_lines(data), "the text")
    return parse_text(decode_bytes(data, charset), DocumentClues(filename=filename))


def _charset(parameters: str) -> str | None:
    """The `charset` of a media type's parameters (`text/html; charset=big5`), if any."""
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip(' "'):
            return value.strip(' "')
    return None
