"""HTML report pages to lines of text, tables as tab-separated rows on an expanded grid."""

from __future__ import annotations

import re

from lxml import etree

from app.parsing.extract.grid import MAX_COLSPAN, MAX_ROWSPAN, Cell, expand_spans, grid_lines
from app.parsing.extract.text import clean_cell, clean_inline, join_fragments
from app.parsing.model import ParseError

# Pages are a few hundred kB; anything far larger is not a report page.
MAX_HTML_CHARS = 20_000_000

# Never report text: code, styling, forms and the site's navigation chrome.
_SKIPPED = frozenset(
    {
        "head", "script", "style", "noscript", "template", "iframe", "object", "embed", "svg",
        "canvas", "nav", "form", "select", "button", "input", "textarea", "map", "audio",
        "video",
    }
)  # fmt: skip
_BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
        "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "h1",
        "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "legend", "li", "main",
        "menu", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th",
        "thead", "tr", "ul",
    }
)  # fmt: skip
_ROW_GROUPS = frozenset({"thead", "tbody", "tfoot"})
# Site chrome named by class or id ("mainNav", "header-menu", "nav3", "breadcrumb").
_CHROME_NAME = re.compile(
    r"^(?:nav\d*|navbar|navigation|mainnav|subnav|topnav|menu\d*|breadcrumbs?|crumbs?|footer|share"
    r"|sidebar|toolbar)$"
)
_NAME_SEPARATORS = re.compile(r"[\s_-]+")


class _Lines:
    """Collects flowing text; a block boundary or <br> ends the current line."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._pending: list[str] = []

    def add_text(self, text: str) -> None:
        self._pending.append(text)

    def end_line(self) -> None:
        if not self._pending:
            return
        line = clean_inline("".join(self._pending))
        self._pending.clear()
        if line:
            self.lines.append(line)

    def add_block_lines(self, lines: list[str]) -> None:
        self.end_line()
        self.lines.extend(lines)


class _CellText:
    """Collects one table cell; block boundaries and <br> only split the label into fragments."""

    def __init__(self) -> None:
        self._fragments: list[str] = []
        self._pending: list[str] = []

    def add_text(self, text: str) -> None:
        self._pending.append(text)

    def end_line(self) -> None:
        # An empty fragment joins as nothing (join_fragments skips it).
        if self._pending:
            self._fragments.append(clean_cell("".join(self._pending)))
            self._pending.clear()

    def add_block_lines(self, lines: list[str]) -> None:
        self.end_line()
        self._fragments.extend(clean_cell(line.replace("\t", " ")) for line in lines)

    def text(self) -> str:
        self.end_line()
        return clean_cell(join_fragments(self._fragments))


def html_to_text(html: str) -> str:
    """The report text of an HTML page: one line per block, one tab-separated line per table row."""
    if len(html) > MAX_HTML_CHARS:
        raise ParseError(f"the HTML page is too large (over {MAX_HTML_CHARS:,} characters)")
    root = _parse(html)
    body = root.find("body")
    lines = _Lines()
    _walk(body if body is not None else root, lines)
    lines.end_line()
    if not lines.lines:
        raise ParseError("the HTML page has no text")
    return "\n".join(lines.lines) + "\n"


def _parse(html: str) -> etree._Element:
    # Bytes with an explicit encoding: lxml refuses str input that carries an XML declaration.
    parser = etree.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True
    )
    try:
        root = etree.fromstring(html.encode("utf-8", errors="replace"), parser=parser)
    except etree.LxmlError as error:
        raise ParseError(f"the HTML page cannot be read: {error}") from error
    if root is None:
        raise ParseError("the HTML page has no content")
    # libxml2 stops descending at 256 levels and drops what lies deeper.
    if any("Excessive depth" in entry.message for entry in parser.error_log):
        raise ParseError("the HTML page is nested too deeply (over 255 levels) to be read whole")
    return root


# Pages repeat the same few tag names, styles and class names thousands of times (Word exports
# style every span): each distinct string is judged once per process.
_TAG_NAMES: dict[str, str] = {}
_HIDING_STYLES: dict[str, bool] = {}
_CHROME_NAMES: dict[str, bool] = {}


def _tag(element: etree._Element) -> str | None:
    tag = element.tag
    if not isinstance(tag, str):
        return None  # comments and processing instructions
    name = _TAG_NAMES.get(tag)
    if name is None:
        name = _TAG_NAMES[tag] = tag.rsplit(":", 1)[-1].lower()
    return name


def _hides(style: str) -> bool:
    hides = _HIDING_STYLES.get(style)
    if hides is None:
        squeezed = style.replace(" ", "").lower()
        hides = _HIDING_STYLES[style] = (
            "display:none" in squeezed or "visibility:hidden" in squeezed
        )
    return hides


def _is_hidden(element: etree._Element) -> bool:
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    style = element.get("style")
    return style is not None and _hides(style)


def _chrome_name(names: str) -> bool:
    chrome = _CHROME_NAMES.get(names)
    if chrome is None:
        chrome = _CHROME_NAMES[names] = any(
            _CHROME_NAME.match(token) for token in _NAME_SEPARATORS.split(names.lower())
        )
    return chrome


def _is_chrome(element: etree._Element) -> bool:
    names = f"{element.get('class') or ''} {element.get('id') or ''}"
    if names == " " or not _chrome_name(names):
        return False
    # A CMS may put its content inside a wrapper with such a name; a table means content.
    return not any(True for _ in element.iterdescendants("table"))


_OPEN, _CLOSE_BLOCK, _CLOSE_INLINE = 0, 1, 2


def _walk(start: etree._Element, sink: _Lines | _CellText) -> None:
    """Depth-first over the tree with an explicit stack, so deep nesting cannot overflow.

    A closing entry carries what the element's end needs (a line break, its tail), so no element
    is looked at twice and inline elements without a tail need no closing entry at all.
    """
    stack: list[tuple[etree._Element, int, str | None]] = [(start, _OPEN, None)]
    blocks, skipped = _BLOCKS, _SKIPPED
    while stack:
        element, state, tail = stack.pop()
        if state != _OPEN:
            if state == _CLOSE_BLOCK:
                sink.end_line()
            if tail:
                sink.add_text(tail)
            continue
        tag = _tag(element)
        tail = element.tail if element is not start else None
        if tag is None or tag in skipped or _is_hidden(element) or _is_chrome(element):
            if tail:
                sink.add_text(tail)
            continue
        is_block = tag in blocks
        if tag == "br":
            sink.end_line()
        elif tag == "table" and not _has_nested_table(element):
            sink.add_block_lines(_table_lines(element))
            if tail:
                sink.add_text(tail)
            continue
        elif is_block:
            sink.end_line()
        if element.text:
            sink.add_text(element.text)
        if is_block:
            stack.append((element, _CLOSE_BLOCK, tail))
        elif tail:
            stack.append((element, _CLOSE_INLINE, tail))
        stack.extend((child, _OPEN, None) for child in reversed(element))


def _has_nested_table(table: etree._Element) -> bool:
    # A table holding another table is page layout: its cells read as ordinary blocks.
    return any(True for _ in table.iterdescendants("table"))


def _table_lines(table: etree._Element) -> list[str]:
    rows: list[list[Cell]] = []
    for row in _own_rows(table):
        cells = []
        for cell in row:
            if _tag(cell) not in ("td", "th"):
                continue
            text = _CellText()
            _walk(cell, text)
            cells.append(
                Cell(
                    text=text.text(),
                    colspan=_span(cell.get("colspan"), MAX_COLSPAN),
                    rowspan=_span(cell.get("rowspan"), MAX_ROWSPAN),
                )
            )
        rows.append(cells)
    return grid_lines(expand_spans(rows))


def _own_rows(table: etree._Element) -> list[etree._Element]:
    rows: list[etree._Element] = []
    for child in table:
        tag = _tag(child)
        if tag == "tr":
            rows.append(child)
        elif tag in _ROW_GROUPS:
            rows.extend(row for row in child if _tag(row) == "tr")
    return rows


def _span(value: str | None, limit: int) -> int:
    digits = "".join(char for char in (value or "").strip()[:6] if char.isdigit())
    # rowspan="0" means "to the end of the table"; the grid cuts spans at the last row anyway.
    if digits == "0":
        return limit
    return min(int(digits), limit) if digits else 1
