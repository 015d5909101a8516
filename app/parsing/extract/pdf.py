"""PDF reports to lines of text: ruled tables as tab-separated grid rows, the rest in reading order.

Text comes from PDFium (pypdfium2, Apache-2.0/BSD-3): every character with its box. Table
borders drawn as thin rectangles or lines give each table's grid, so a ruled table comes out
like an HTML or Word table: one line per printed row, a merged cell's text (a label wrapped over
lines, a vertical row-group label) joined in its first slot. Text outside ruled tables is
grouped into lines; wide horizontal gaps inside a line become tabs, much like
`pdftotext -layout` with tabs for runs of spaces.
"""

from __future__ import annotations

import itertools
import re
import threading
from dataclasses import dataclass

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pypdfium2.raw as pdfium_c  # type: ignore[import-untyped]

from app.parsing.extract.pdf_tables import (
    Char,
    Segment,
    find_tables,
    group_into_lines,
)
from app.parsing.extract.text import clean_inline, is_cjk, join_fragments
from app.parsing.limits import PDF_PAGES, TEXT_CHARS
from app.parsing.model import ParseError

MAX_SEGMENTS_PER_PAGE = 5_000

# PDFium is not thread-safe: one document at a time in this process.
_PDFIUM_LOCK = threading.Lock()

# A gap wider than this many character heights separates cells; a narrower one is a blank.
_CELL_GAP = 1.5
_WORD_GAP = 0.25
# Numbered headings start a new line even where the text above runs to the margin.
_HEADING = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d+[.、．])"
)
_PAGE_NUMBER = re.compile(r"^[-－—–~·\s]*\d{1,4}[-－—–~·\s]*$")
_DASHED_PAGE_NUMBER = re.compile(r"^\s*[-－—–~·]+\s*\d{1,4}\s*[-－—–~·]+\s*$")
_PAGE_OF = re.compile(
    r"^\s*(?:第\s*\d{1,4}\s*页\s*(?:[,，/／]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*[/／]\s*\d{1,4})\s*$"
)


@dataclass(frozen=True, slots=True)
class _Line:
    top: float
    text: str
    in_table: bool = False
    left: float = 0.0
    right: float = 0.0
    height: float = 0.0


def pdf_to_text(data: bytes) -> str:
    """The report text of a PDF: one line per printed line or table row, cells tab-separated."""
    with _PDFIUM_LOCK:
        document = _open(data)
        try:
            # From the page tree: no page's content has been read yet.
            page_count = len(document)
            PDF_PAGES.check(page_count, "the PDF")
            pages: list[list[_Line]] = []
            chars_seen = 0
            for index in range(page_count):
                page = document[index]
                try:
                    chars, segments = _page_content(page)
                finally:
                    page.close()
                chars_seen += len(chars)
                TEXT_CHARS.check(chars_seen, "the PDF", at_least=index + 1 < page_count)
                pages.append(_page_lines(chars, segments))
        except pdfium.PdfiumError as error:
            raise ParseError(f"the PDF cannot be read: {error}") from error
        finally:
            document.close()
    if not any(pages):
        raise ParseError(
            "the PDF has no text layer (a scan or images of pages?); it would need OCR first"
        )
    return "\n".join(_join_wrapped_lines(pages)) + "\n"


def _open(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if error.err_code == pdfium_c.FPDF_ERR_PASSWORD:
            raise ParseError(
                "the PDF is encrypted with a password; send an unlocked copy"
            ) from error
        if error.err_code == pdfium_c.FPDF_ERR_SECURITY:
            raise ParseError("the PDF uses an unsupported security handler") from error
        raise ParseError(f"the PDF is damaged or not a PDF: {error}") from error


def _page_content(page: pdfium.PdfPage) -> tuple[list[Char], list[Segment]]:
    textpage = page.get_textpage()
    try:
        chars = _chars(textpage)
    finally:
        textpage.close()
    segments: list[Segment] = []
    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_PATH,), max_depth=2):
        left, bottom, right, top = obj.get_bounds()
        segment = Segment(left, bottom, right, top)
        if segment.is_rule:
            segments.append(segment)
            if len(segments) > MAX_SEGMENTS_PER_PAGE:
                # Drawings, not table borders: read the page as plain lines.
                return chars, []
    return chars, segments


def _chars(textpage: pdfium.PdfTextPage) -> list[Char]:
    handle = textpage.raw
    chars: list[Char] = []
    for index in range(pdfium_c.FPDFText_CountChars(handle)):
        if pdfium_c.FPDFText_IsGenerated(handle, index):
            continue  # spaces and line breaks PDFium guessed; the layout is rebuilt here
        code = pdfium_c.FPDFText_GetUnicode(handle, index)
        if (
            code <= 0x20
            or code in (0xA0, 0x3000, 0xFEFF, 0xFFFE, 0xFFFF)
            or 0xD800 <= code < 0xE000
        ):
            continue
        left, bottom, right, top = textpage.get_charbox(index, loose=True)
        # Loose boxes (font ascent to descent) line characters up evenly, but for rotated or
        # vertically written glyphs they can be hundreds of points wide; use the ink box then.
        ink_left, ink_bottom, ink_right, ink_top = textpage.get_charbox(index)
        # (Flat glyphs like "一" have a thin ink box but a normal loose one, so both sides count.)
        if (
            right - left > 3 * (ink_right - ink_left) + 3
            and top - bottom > 3 * (ink_top - ink_bottom) + 3
        ):
            left, bottom, right, top = ink_left, ink_bottom, ink_right, ink_top
        if top - bottom <= 0:
            continue
        chars.append(Char(left, bottom, right, top, chr(code)))
    return chars


def _page_lines(chars: list[Char], segments: list[Segment]) -> list[_Line]:
    tables = find_tables(segments)
    free: list[Char] = []
    by_table: dict[int, list[Char]] = {}
    for char in chars:
        for number, table in enumerate(tables):
            if table.contains(char):
                by_table.setdefault(number, []).append(char)
                break
        else:
            free.append(char)
    lines = _free_lines(free)
    for number, table_chars in by_table.items():
        for top, cells in tables[number].rows(table_chars):
            if any(cells):
                lines.append(_Line(top, "\t".join(cells), in_table=True))
    lines.sort(key=lambda line: -line.top)
    return _without_page_numbers(lines)


def _free_lines(chars: list[Char]) -> list[_Line]:
    lines: list[_Line] = []
    for band in group_into_lines(chars):
        height = max(char.height for char in band)
        chunks: list[str] = []
        current = band[0].text
        for before, after in itertools.pairwise(band):
            gap = after.left - before.right
            if gap > _CELL_GAP * height:
                chunks.append(current)
                current = after.text
                continue
            if gap > _WORD_GAP * height and not (is_cjk(before.text) or is_cjk(after.text)):
                current += " "
            current += after.text
        chunks.append(current)
        text = "\t".join(clean_inline(chunk) for chunk in chunks)
        if text.strip():
            top = max(char.top for char in band)
            lines.append(_Line(top, text, False, band[0].left, band[-1].right, height))
    return lines


def _without_page_numbers(lines: list[_Line]) -> list[_Line]:
    kept: list[_Line] = []
    last = len(lines) - 1
    for index, line in enumerate(lines):
        text = line.text.replace("\t", " ")
        if not line.in_table:
            if _DASHED_PAGE_NUMBER.match(text):
                continue
            at_edge = index in (0, last)
            if at_edge and (_PAGE_NUMBER.match(text) or _PAGE_OF.match(text)):
                continue
        kept.append(line)
    return kept


def _join_wrapped_lines(pages: list[list[_Line]]) -> list[str]:
    """Undo the PDF's line wrapping: a line that fills the text width continues on the next one.

    A continuation must start at the left margin (a paragraph's first line is indented) and
    neither line may be a table row or hold a cell gap.
    """
    joined: list[str] = []
    previous: _Line | None = None
    previous_margins = (0.0, 0.0)
    for page in pages:
        prose = [line for line in page if not line.in_table and "\t" not in line.text]
        margins = (
            (min(line.left for line in prose), max(line.right for line in prose))
            if prose
            else (0.0, 0.0)
        )
        for line in page:
            if (
                previous is not None
                and _is_prose(previous)
                and _is_prose(line)
                and previous.right >= previous_margins[1] - 4 * previous.height
                and line.left <= margins[0] + 0.5 * line.height
                and not _HEADING.match(line.text)
            ):
                joined[-1] = join_fragments([joined[-1], line.text])
            else:
                joined.append(line.text)
            previous, previous_margins = line, margins
    return joined


def _is_prose(line: _Line) -> bool:
    return not line.in_table and "\t" not in line.text and line.height > 0


def pdf_properties(data: bytes) -> tuple[str, ...]:
    """The PDF's Title and Subject, as its author's software wrote them (often empty)."""
    with _PDFIUM_LOCK:
        document = _open(data)
        try:
            info = document.get_metadata_dict(skip_empty=True)
        except pdfium.PdfiumError:
            return ()
        finally:
            document.close()
    return tuple(str(info[key]).strip() for key in ("Title", "Subject") if key in info)
