"""Plain, frozen results of parsing one report: what the rest of the service stores."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from app.catalog import Format

CellStatus = Literal["number", "blank", "not_applicable", "inferred", "unreadable"]
CELL_STATUSES: tuple[CellStatus, ...] = (
    "number",
    "blank",
    "not_applicable",
    "inferred",
    "unreadable",
)


class ParseError(ValueError):
    """The document cannot be read as an annual report; the message says what was looked for."""


class DocumentTooLarge(ParseError):
    """The document is far larger than any annual report; it was refused before being read whole.

    The message says what was counted, how many there are, and the bound (app/parsing/limits.py).
    """


@dataclass(frozen=True, slots=True)
class ParsedCell:
    table: str
    row: str
    col: str
    # int for counts and changes, Decimal for amounts; None unless status is number/inferred.
    value: int | Decimal | None
    raw: str
    status: CellStatus
    unit: str | None = None  # a unit written in the cell itself: 元, 万元


@dataclass(frozen=True, slots=True)
class ParsedSection:
    number: int  # 1..6
    key: str  # catalog.SECTIONS key
    title: str  # as printed, e.g. "一、总体情况"
    text: str


@dataclass(frozen=True, slots=True)
class RegionHints:
    """Clues to where the agency sits, for placing it in the region tree later."""

    place_names: tuple[str, ...] = ()
    phone_area_code: str | None = None
    source_domain: str | None = None


# Where an agency or year was read, most trusted first (app/parsing/identity.py says why).
Source = Literal["given", "title", "period", "prose", "metadata", "filename"]
SOURCES: tuple[Source, ...] = ("given", "title", "period", "prose", "metadata", "filename")


@dataclass(frozen=True, slots=True)
class Provenance:
    agency: Source | None = None
    year: Source | None = None


@dataclass(frozen=True, slots=True)
class ParsedReport:
    format: Format
    agency: str | None
    year: int | None
    title: str | None
    period_start: date | None
    period_end: date | None
    publisher: str | None
    contact_phone: str | None
    sections: tuple[ParsedSection, ...]
    cells: tuple[ParsedCell, ...]
    warnings: tuple[str, ...] = ()
    region_hints: RegionHints = field(default_factory=RegionHints)
    source_url: str | None = None
    provenance: Provenance = field(default_factory=Provenance)
