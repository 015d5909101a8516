"""Word (DOCX) reports to lines of text: paragraphs and tables in document order, merges expanded.

Reads word/document.xml with lxml directly: faster than python-docx and it sees the merge marks
(gridSpan, vMerge, gridBefore/gridAfter) that the grid needs.
"""

from __future__ import annotations

import io
import zipfile

from lxml import etree

from app.parsing.extract.grid import MAX_COLSPAN, Cell, expand_spans, grid_lines
from app.parsing.extract.text import clean_cell, clean_inline, join_fragments
from app.parsing.limits import (
    DOCX_ENTRIES,
    DOCX_PARAGRAPHS,
    DOCX_UNPACKED_BYTES,
    TABLE_CELLS,
)
from app.parsing.model import ParseError

_DOCUMENT_PART = "word/document.xml"
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_P, _TBL, _TR, _TC = f"{_W}p", f"{_W}tbl", f"{_W}tr", f"{_W}tc"
_T, _TAB, _BR, _CR = f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"
_NO_BREAK_HYPHEN, _SOFT_HYPHEN = f"{_W}noBreakHyphen", f"{_W}softHyphen"
# Deleted revisions, field codes, and page furniture do not print as report text.
_NOT_TEXT = frozenset(
    {f"{_W}del", f"{_W}delText", f"{_W}instrText", f"{_W}delInstrText", f"{_W}pPr", f"{_W}rPr",
     f"{_W}tblPr", f"{_W}trPr", f"{_W}tcPr", f"{_W}tblGrid", f"{_W}sectPr", _MC_FALLBACK}
)  # fmt: skip


def docx_to_text(data: bytes) -> str:
    """The report text of a Word document: one line per paragraph, one line per table row."""
    xml = _read_document_part(data)
    # Counted in the XML as Word writes it (prefix w:), before lxml builds a tree of every cell;
    # counted again in the tree, which sees any prefix.
    _check_size(_count_tags(xml, b"w:tc"), _count_tags(xml, b"w:p"))
    body = _document_body(xml)
    _check_size(_count(body, _TC), _count(body, _P))
    lines: list[str] = []
    _render_blocks(body, lines)
    if not lines:
        raise ParseError("the Word document has no text")
    return "\n".join(lines) + "\n"


def _read_document_part(data: bytes) -> bytes:
    if data[:8] == _OLE_SIGNATURE:
        raise ParseError(
            "the file is an encrypted Word document or an old .doc file; send an unprotected .docx"
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise ParseError(f"the Word document is not a valid DOCX (ZIP) file: {error}") from error
    with archive:
        entries = archive.infolist()
        DOCX_ENTRIES.check(len(entries), "the Word document")
        DOCX_UNPACKED_BYTES.check(sum(entry.file_size for entry in entries), "the Word document")
        try:
            entry = archive.getinfo(_DOCUMENT_PART)
        except KeyError:
            raise ParseError(
                "the ZIP file is not a Word document: it has no word/document.xml"
            ) from None
        if entry.flag_bits & 0x1:
            raise ParseError("the Word document's contents are encrypted")
        try:
            return _read_capped(archive, entry)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as error:
            raise ParseError(f"the Word document is damaged: {error}") from error
        except (NotImplementedError, RuntimeError) as error:
            raise ParseError(f"the Word document cannot be unpacked: {error}") from error


def _read_capped(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> bytes:
    # The declared size can lie; count what really comes out.
    chunks: list[bytes] = []
    total = 0
    with archive.open(entry) as stream:
        while chunk := stream.read(1 << 20):
            total += len(chunk)
            DOCX_UNPACKED_BYTES.check(total, "the Word document", at_least=True)
            chunks.append(chunk)
    return b"".join(chunks)


def _document_body(xml: bytes) -> etree._Element:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(xml, parser=parser)
    except etree.XMLSyntaxError as error:
        raise ParseError(f"the Word document's XML is malformed: {error}") from error
    body = root.find(f"{_W}body")
    if body is None:
        raise ParseError("the Word document has no body")
    return body


def _check_size(cells: int, paragraphs: int) -> None:
    TABLE_CELLS.check(cells, "the Word document")
    DOCX_PARAGRAPHS.check(paragraphs, "the Word document")


def _count_tags(xml: bytes, name: bytes) -> int:
    return sum(xml.count(b"<" + name + end) for end in (b">", b" ", b"/"))


def _count(body: etree._Element, tag: str) -> int:
    return sum(1 for _ in body.iter(tag))


def _render_blocks(container: etree._Element, lines: list[str]) -> None:
    """Paragraphs and tables in order, descending through wrappers (content controls, inserts)."""
    stack = list(reversed(container))
    while stack:
        element = stack.pop()
        if element.tag in (_P, _TBL):
            _render_block(element, lines)
        elif isinstance(element.tag, str) and element.tag not in _NOT_TEXT:
            stack.extend(reversed(element))


def _render_block(block: etree._Element, lines: list[str]) -> None:
    if block.tag == _TBL:
        if any(True for _ in block.iterdescendants(_TBL)):
            # A table holding tables is layout: read its cells as ordinary blocks.
            for cell in block.iter(_TC):
                if _parent_table(cell) is block:
                    _render_blocks(cell, lines)
            return
        lines.extend(grid_lines(expand_spans(_table_cells(block))))
        return
    for line in _paragraph_text(block).split("\n"):
        cleaned = clean_inline(line)
        if cleaned:
            lines.append(cleaned)


def _parent_table(element: etree._Element) -> etree._Element | None:
    parent = element.getparent()
    while parent is not None and parent.tag != _TBL:
        parent = parent.getparent()
    return parent


def _paragraph_text(paragraph: etree._Element) -> str:
    """A paragraph's printed text; a manual line break becomes a newline."""
    parts: list[str] = []
    stack = [paragraph]
    while stack:
        element = stack.pop()
        tag = element.tag
        if tag == _T:
            parts.append(element.text or "")
        elif tag == _TAB:
            parts.append(" ")  # a tab inside a paragraph must not read as a cell boundary
        elif tag in (_BR, _CR):
            parts.append("\n")
        elif tag == _NO_BREAK_HYPHEN:
            parts.append("-")
        elif tag in _NOT_TEXT or not isinstance(tag, str):
            continue
        elif tag == _P and element is not paragraph:
            parts.append("\n")
            stack.append(element)
            continue
        stack.extend(reversed(element))
    return "".join(parts)


def _table_cells(table: etree._Element) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    for row in table.iterchildren(_TR):
        cells: list[Cell] = []
        row_properties = row.find(f"{_W}trPr")
        before = _grid_skip(row_properties, "gridBefore")
        cells.extend(Cell("") for _ in range(before))
        for cell in row.iterchildren(_TC):
            properties = cell.find(f"{_W}tcPr")
            span = _int_val(properties, "gridSpan", 1)
            merge = properties.find(f"{_W}vMerge") if properties is not None else None
            # A vMerge without "restart" continues the cell above: its slot prints empty.
            continued = merge is not None and merge.get(f"{_W}val", "continue") != "restart"
            text = "" if continued else _cell_text(cell)
            cells.append(Cell(text, colspan=min(max(span, 1), MAX_COLSPAN)))
        after = _grid_skip(row_properties, "gridAfter")
        cells.extend(Cell("") for _ in range(after))
        rows.append(cells)
    return rows


def _cell_text(cell: etree._Element) -> str:
    fragments = [
        clean_cell(line)
        for paragraph in cell.iter(_P)
        for line in _paragraph_text(paragraph).split("\n")
    ]
    return clean_cell(join_fragments(fragments))


def _grid_skip(row_properties: etree._Element | None, name: str) -> int:
    return min(max(_int_val(row_properties, name, 0), 0), MAX_COLSPAN)


def _int_val(properties: etree._Element | None, name: str, default: int) -> int:
    if properties is None:
        return default
    element = properties.find(f"{_W}{name}")
    if element is None:
        return default
    value = (element.get(f"{_W}val") or "").strip()
    return int(value) if value.isdigit() and len(value) < 7 else default


_CORE_PART = "docProps/core.xml"
_DC = "{http://purl.org/dc/elements/1.1/}"


def docx_properties(data: bytes) -> tuple[str, ...]:
    """The Word document's title and subject (core properties), where it has them."""
    # Properties only add clues: a document whose properties cannot be read is read without them.
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            xml = _read_capped(archive, archive.getinfo(_CORE_PART))
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        root = etree.fromstring(xml, parser=parser)
    except (KeyError, ValueError, OSError, EOFError, RuntimeError, NotImplementedError):
        return ()
    except (zipfile.BadZipFile, etree.LxmlError, ParseError):
        return ()
    found = (root.findtext(f"{_DC}{name}") for name in ("title", "subject"))
    return tuple(text.strip() for text in found if text and text.strip())
