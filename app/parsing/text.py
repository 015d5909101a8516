"""A report's text in, a ParsedReport out: metadata, the six parts and the statistics tables."""

from __future__ import annotations

from app.catalog import Format
from app.parsing.decode import clean_text
from app.parsing.identity import DocumentClues
from app.parsing.limits import check_text
from app.parsing.metadata import read_metadata
from app.parsing.model import ParsedCell, ParsedReport, ParseError
from app.parsing.normalize import unwrap_lines
from app.parsing.sections import find_headings, section_texts, split_flattened
from app.parsing.tables import (
    Regions,
    TableResult,
    find_regions,
    format_from_headers,
    format_from_requests,
    read_proactive,
    read_requests,
    read_reviews,
)
from app.parsing.tokens import Token, tokenize

_NOTHING_FOUND = (
    "no annual-report parts (一、总体情况 … 六、其他需要报告的事项) or statistics tables found"
)
_LAST_2019_YEAR = 2020


def decide_format(tokens: list[Token], regions: Regions, year: int | None) -> Format | None:
    """The format the tables print: 二's column headers, else 三's （六） rows, else the year."""
    printed = format_from_headers(tokens, regions.proactive) or format_from_requests(
        tokens, regions.requests
    )
    if printed is not None:
        return printed
    if year is not None:
        return "2019" if year <= _LAST_2019_YEAR else "2021"
    return None


def read_tables(
    tokens: list[Token], regions: Regions, fmt: Format, text: str
) -> tuple[list[ParsedCell], list[str]]:
    """The cells of tables 二, 三 and 四, and warnings naming what is missing or unreadable.

    `text` is the whole report: its prose may settle how table 四's values are placed.
    """
    results: list[TableResult] = []
    warnings: list[str] = []
    if regions.proactive is None:
        warnings.append("table 二 (proactive) not found")
    else:
        results.append(read_proactive(tokens, regions.proactive, fmt))
    if regions.requests is None:
        warnings.append("table 三 (requests) not found")
    else:
        results.append(read_requests(tokens, regions.requests, fmt))
    if regions.reviews is None:
        warnings.append("table 四 (reviews) not found")
    else:
        results.append(read_reviews(tokens, regions.reviews, text))
    cells = [cell for result in results for cell in result.cells]
    warnings.extend(w for result in results for w in result.warnings)
    return cells, warnings


def parse_text(text: str, clues: DocumentClues | None = None) -> ParsedReport:
    """Parse one report's text; raise ParseError when it is not an annual report.

    DocumentTooLarge when the text is far longer than any report: checked before anything else.
    """
    check_text(text)
    text = clean_text(text)
    lines = text.split("\n")
    meta = read_metadata(lines, text, clues)
    tokens = tokenize(lines)
    # Tables are read from the lines as printed; parts from paragraphs joined back together.
    lines = split_flattened(unwrap_lines(lines))
    headings = find_headings(lines)
    regions = find_regions(tokens)
    has_tables = any((regions.proactive, regions.requests, regions.reviews)) and any(
        t.kind == "value" for t in tokens
    )
    if not headings and not has_tables:
        raise ParseError(_NOTHING_FOUND)
    warnings = list(meta.notes)
    fmt = decide_format(tokens, regions, meta.year)
    if fmt is None:
        fmt = "2021"
        warnings.append("format not printed and year unknown; assumed the 2021 format")
    cells: list[ParsedCell] = []
    if has_tables:
        cells, table_warnings = read_tables(tokens, regions, fmt, text)
        warnings.extend(table_warnings)
    else:
        warnings.append("no statistics tables found in the text (they may have been images)")
    found = {h.number for h in headings}
    warnings.extend(f"part {n} not found" for n in range(1, 7) if n not in found)
    sections, left_out = section_texts(lines, headings)
    warnings.extend(left_out)
    return ParsedReport(
        format=fmt,
        agency=meta.agency,
        year=meta.year,
        title=meta.title,
        period_start=meta.period_start,
        period_end=meta.period_end,
        publisher=meta.publisher,
        contact_phone=meta.contact_phone,
        sections=tuple(sections),
        cells=tuple(cells),
        warnings=tuple(warnings),
        region_hints=meta.region_hints,
        source_url=meta.source_url,
        provenance=meta.provenance,
    )
