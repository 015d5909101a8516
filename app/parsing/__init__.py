"""Pure parsing: a document's text or bytes in, a ParsedReport out. No web or database code."""

from app.parsing.model import (
    CELL_STATUSES,
    CellStatus,
    DocumentTooLarge,
    ParsedCell,
    ParsedReport,
    ParsedSection,
    ParseError,
    RegionHints,
)

__all__ = [
    "CELL_STATUSES",
    "CellStatus",
    "DocumentTooLarge",
    "ParseError",
    "ParsedCell",
    "ParsedReport",
    "ParsedSection",
    "RegionHints",
]
