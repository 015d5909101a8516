"""HTML report pages to lines of text, tables as tab-separated rows on an expanded grid."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from lxml import etree

from app.parsing.extract.grid import MAX_COLSPAN, MAX_ROWSPAN, Cell, expand_spans, grid_lines
from app.parsing.extract.text import clean_cell, clean_inline, join_fragments
from app.parsing.limits import HTML_CHARS, HTML_ELEMENTS, TABLE_CELLS
from app.parsing.model import ParseError

# Every element and every table cell opens with "<": a page with no more "<" than this is within
# both bounds, and needs no closer count.
_FEW_TAGS = min(TABLE_CELLS.limit, HTML_ELEMENTS.limit)
# A page has one title and a few headings; past these it is a listing, not a report.
_MAX_TITLES = 12

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
    HTML_CHARS.check(len(html), "the HTML page")
    tags = _check_markup(html)
    root = _parse(html)
    if tags > _FEW_TAGS:
        # Tags in mixed case ("<Td>") escape the count in the source, not this one.
        HTML_ELEMENTS.check(sum(1 for _ in root.iter()), "the HTML page")
        TABLE_CELLS.check(sum(1 for _ in root.iter("td", "th")), "the HTML page")
    body = root.find("body")
    lines = _Lines()
    _Page(root).read(body if body is not None else root, lines)
    lines.end_line()
    if not lines.lines:
        raise ParseError("the HTML page has no text")
    return "\n".join(lines.lines) + "\n"


def _check_markup(html: str) -> int:
    """Refuse a page of far more elements or table cells than a report's, before lxml builds them.

    Counted in the source: every start tag opens with "<" and is not "</" or "<!". Returns the
    number of "<".
    """
    opened = html.count("<")
    if opened <= _FEW_TAGS:
        return opened
    HTML_ELEMENTS.check(opened - html.count("</") - html.count("<!"), "the HTML page")
    cells = sum(html.count(tag) for tag in ("<td", "<th", "<TD", "<TH"))
    TABLE_CELLS.check(cells - html.count("<thead") - html.count("<THEAD"), "the HTML page")
    return opened


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


# What an element's tag makes of it in the walk; a table is a block unless its rows are read.
_INLINE, _BLOCK, _BREAK, _SKIP, _TABLE = range(5)


# Pages repeat the same few tag names, styles and class names thousands of times (Word exports
# style every span): each distinct string is judged once, in bounded caches.
@lru_cache(maxsize=1024)
def _tag_name(tag: str) -> str:
    return tag.rsplit(":", 1)[-1].lower()


def _tag(element: etree._Element) -> str | None:
    tag = element.tag
    if not isinstance(tag, str):
        return None  # comments and processing instructions
    return _tag_name(tag)


def _tag_kind(tag: object) -> int:
    if not isinstance(tag, str):
        return _SKIP  # comments and processing instructions are read as nothing
    name = _tag_name(tag)
    if name in _SKIPPED:
        return _SKIP
    if name == "table":
        return _TABLE
    if name in _BLOCKS:
        return _BLOCK
    return _BREAK if name == "br" else _INLINE


# The kind of each tag seen, looked up inline in the walk's loops (a call per element costs as
# much as the rest of the loop). Bounded: a hostile page may invent any number of tags.
_KINDS: dict[object, int] = {}
_MAX_KINDS = 1024


def _kind_of(tag: object) -> int:
    kind = _KINDS.get(tag)
    if kind is None:
        kind = _tag_kind(tag)
        if len(_KINDS) < _MAX_KINDS:
            _KINDS[tag] = kind
    return kind


@lru_cache(maxsize=4096)
def _hides(style: str) -> bool:
    squeezed = style.replace(" ", "").lower()
    return "display:none" in squeezed or "visibility:hidden" in squeezed


def _is_hidden(element: etree._Element) -> bool:
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    style = element.get("style")
    return style is not None and _hides(style)


@lru_cache(maxsize=4096)
def _chrome_name(names: str) -> bool:
    return any(_CHROME_NAME.match(token) for token in _NAME_SEPARATORS.split(names.lower()))


def _is_chrome(element: etree._Element, holds_table: set[etree._Element]) -> bool:
    names = f"{element.get('class') or ''} {element.get('id') or ''}"
    if names == " " or not _chrome_name(names):
        return False
    # A CMS may put its content inside a wrapper with such a name; a table means content.
    return element not in holds_table


def _holding_tables(root: etree._Element) -> set[etree._Element]:
    """Every element with a table inside it, each found once however deep the nesting."""
    holders: set[etree._Element] = set()
    for table in root.iter("table"):
        parent = table.getparent()
        while parent is not None and parent not in holders:
            holders.add(parent)
            parent = parent.getparent()
    return holders


# Few elements carry a class, an id or a hidden attribute, and a page has few distinct styles:
# XPath gathers them in C, so the walk never asks an element for its attributes. One path per
# attribute, and parents found from Python: libxml2 merges unions and parent steps by comparing
# every node with every other, which a hostile page could make take minutes.
_MARKING = [etree.XPath(f"//@{name}") for name in ("class", "id", "hidden", "aria-hidden")]
_STYLES = etree.XPath(
    "set:distinct(//@style)", namespaces={"set": "http://exslt.org/sets"}, smart_strings=False
)
_STYLED = etree.XPath("//*[@style]")


def _marked(root: etree._Element) -> set[etree._Element]:
    """The elements carrying a class, an id, or a hidden or aria-hidden attribute."""
    found: set[etree._Element] = set()
    for path in _MARKING:
        attributes = path(root)
        assert isinstance(attributes, list)
        for attribute in attributes:
            assert isinstance(attribute, etree._ElementUnicodeResult)
            parent = attribute.getparent()
            if parent is not None:
                found.add(parent)
    return found


def _strings(found: object) -> list[str]:
    assert isinstance(found, list)
    return [value for value in found if isinstance(value, str)]


class _Page:
    """A parsed page and the elements whose text is never report text: hidden ones, chrome."""

    def __init__(self, root: etree._Element) -> None:
        self._holds_table = _holding_tables(root)
        excluded = {e for e in _marked(root) if _is_hidden(e) or _is_chrome(e, self._holds_table)}
        if any(_hides(style) for style in _strings(_STYLES(root))):
            styled = _STYLED(root)
            assert isinstance(styled, list)
            excluded.update(e for e in styled if isinstance(e, etree._Element) and _is_hidden(e))
        self._excluded = frozenset(excluded)

    def read(self, start: etree._Element, sink: _Lines | _CellText) -> None:
        """Feed `sink` the text of `start` and its descendants, in reading order."""
        # For each element entered and not yet left: the element, its parent's children still to
        # read, and whether its end ends a line. A stack, not recursion, so deep nesting cannot
        # overflow; skipping a subtree is not entering it.
        stack: list[tuple[etree._Element, Iterator[etree._Element], bool]] = []
        children: Iterator[etree._Element] = iter((start,))
        kinds, excluded = _KINDS, self._excluded
        add_text, end_line = sink.add_text, sink.end_line
        while True:
            for element in children:
                kind = kinds.get(element.tag)
                if kind is None:
                    kind = _kind_of(element.tag)
                if kind == _SKIP or element in excluded:
                    pass
                elif kind == _TABLE and element not in self._holds_table:
                    # A table holding another table is page layout: its cells read as blocks.
                    sink.add_block_lines(self._table_lines(element))
                else:
                    if kind != _INLINE:
                        end_line()
                    if element.text:
                        add_text(element.text)
                    stack.append((element, children, kind in (_BLOCK, _TABLE)))
                    children = iter(element)
                    break
                if element is not start and element.tail:
                    add_text(element.tail)
            else:
                if not stack:
                    return
                element, children, breaks = stack.pop()
                if breaks:
                    end_line()
                if element is not start and element.tail:
                    add_text(element.tail)

    def _table_lines(self, table: etree._Element) -> list[str]:
        rows = [
            [
                Cell(
                    self._cell_text(cell),
                    _span(cell.get("colspan"), MAX_COLSPAN),
                    _span(cell.get("rowspan"), MAX_ROWSPAN),
                )
                for cell in row
                if _tag(cell) in ("td", "th")
            ]
            for row in _own_rows(table)
        ]
        return grid_lines(expand_spans(rows))

    def _cell_text(self, cell: etree._Element) -> str:
        text = self._only_text(cell)
        if text is not None:
            return clean_cell(text)
        reader = _CellText()
        self.read(cell, reader)
        return reader.text()

    def _only_text(self, cell: etree._Element) -> str | None:
        """The cell's one piece of text that is not blank ("" for none), when that is all it reads.

        None when it holds more pieces, whose blocks and breaks may part them, or anything that
        is not read. One piece reads the same whatever blocks surround it, so most cells (a
        number in a Word paragraph and span) need no walk.
        """
        found: str | None = None
        kinds, excluded = _KINDS, self._excluded
        for element in cell.iter():
            kind = kinds.get(element.tag)
            if kind is None:
                kind = _kind_of(element.tag)
            if kind == _SKIP or element in excluded:
                return None
            text = element.text
            if text and not text.isspace():
                if found is not None:
                    return None
                found = text
            tail = element.tail if element is not cell else None
            if tail and not tail.isspace():
                if found is not None:
                    return None
                found = tail
        return found or ""


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
    if value is None:
        return 1
    # ASCII digits only, as browsers read spans: "²".isdigit() holds but int("²") fails.
    digits = "".join(char for char in value.strip()[:6] if char in "0123456789")
    # rowspan="0" means "to the end of the table"; the grid cuts spans at the last row anyway.
    if digits == "0":
        return limit
    return min(int(digits), limit) if digits else 1


def html_titles(html: str) -> tuple[str, ...]:
    """The page's <title> and top headings: the page's own words for what it holds.

    Call after html_to_text, which refuses pages too large to read.
    """
    root = _parse(html)
    found = [root.findtext(".//title") or ""]
    found.extend(" ".join(map(str, h.itertext())) for h in root.iter("h1", "h2", "h3"))
    titles = (" ".join(text.split()) for text in found)
    return tuple(dict.fromkeys(t for t in titles if t))[:_MAX_TITLES]
