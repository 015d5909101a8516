"""Typed ORM tables: regions, agencies, documents, reports, sections, tables of cells, checks.

Beside the tables that bulk writes fill, a NamedTuple gives the layout of one row, in the
table's column order: ingest and synth build rows with it and hand them to the driver. Where
rows are kept by the hundred thousand (a batch being stored, rows crossing processes) they are
kept as plain tuples in that layout: a tuple subclass stays tracked by the garbage collector
and unpickles several times slower, which made bulk ingest and synth measurably slower.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    update,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Region(Base):
    """A GB/T 2260 administrative division: province, prefecture-level city or county."""

    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    level: Mapped[str] = mapped_column(String(16))
    # "division" for GB/T 2260 units; "zone" for new areas and the like that report on their own.
    kind: Mapped[str] = mapped_column(String(16), default="division", server_default="division")
    parent_code: Mapped[str | None] = mapped_column(
        ForeignKey("region.code"), index=True, default=None
    )
    former_names: Mapped[list[str]] = mapped_column(JSON, default=list)


class Agency(Base):
    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    region_code: Mapped[str | None] = mapped_column(
        ForeignKey("region.code"), index=True, default=None
    )
    kind: Mapped[str | None] = mapped_column(String(32), default=None)
    # Regions the name could denote when it does not settle one; empty once placed.
    region_candidates: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    region: Mapped[Region | None] = relationship(lazy="raise")


class Document(Base):
    """The bytes of an ingested document exactly as received, so it can be parsed again."""

    __tablename__ = "document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    media_type: Mapped[str] = mapped_column(String(120))
    filename: Mapped[str | None] = mapped_column(String(500), default=None)
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class Report(Base):
    __tablename__ = "report"
    __table_args__ = (
        UniqueConstraint("agency_id", "year", "revision"),
        Index("ix_report_year_current", "year", "is_current"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), unique=True)
    year: Mapped[int] = mapped_column(SmallInteger)
    format: Mapped[str] = mapped_column(String(4))
    period_start: Mapped[date | None] = mapped_column(Date, default=None)
    period_end: Mapped[date | None] = mapped_column(Date, default=None)
    title: Mapped[str | None] = mapped_column(Text, default=None)
    publisher: Mapped[str | None] = mapped_column(String(200), default=None)
    contact_phone: Mapped[str | None] = mapped_column(String(100), default=None)
    source_url: Mapped[str | None] = mapped_column(Text, default=None)
    revision: Mapped[int] = mapped_column(SmallInteger, default=1)
    # Only the newest revision of an agency's report for a year that is not withdrawn is current.
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    ingested_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    parser_version: Mapped[str] = mapped_column(String(32))
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    region_hints: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    checks_passed: Mapped[int] = mapped_column(Integer, default=0)
    checks_failed: Mapped[int] = mapped_column(Integer, default=0)
    checks_not_assessable: Mapped[int] = mapped_column(Integer, default=0)
    # Generated for benchmarks by `gkstats synth`; never real data.
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Where the agency and year were read ("title", "period", "prose", … "given"); null for
    # reports stored before it was recorded.
    provenance: Mapped[dict[str, str | None] | None] = mapped_column(JSON, default=None)
    # A withdrawn revision is kept for the record but never served as current again.
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    withdrawal_reason: Mapped[str | None] = mapped_column(Text, default=None)
    # Reports fetched from the web: the document's own address (an attachment of the page at
    # source_url, or that page itself) and when it was fetched.
    document_url: Mapped[str | None] = mapped_column(Text, default=None)
    fetched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)

    agency: Mapped[Agency] = relationship(lazy="raise")
    document: Mapped[Document] = relationship(lazy="raise")


class ReportReread(Base):
    """A report's document read again by a newer parser, and what that changed in the report.

    The report is updated in place (`gkstats reparse`); this row keeps what it said before.
    """

    __tablename__ = "report_reread"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    reread_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    parser_before: Mapped[str] = mapped_column(String(32))
    parser_after: Mapped[str] = mapped_column(String(32))
    # {"fields": {name: [before, after]}, "cells": [[key, before, after]], "sections": [numbers],
    #  "checks": [before, after]}: see app/reparse.py
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)


class FetchedUrl(Base):
    """A web address fetched for a report, and what it gave: the validators that let the next
    fetch ask whether it changed (ETag, Last-Modified) and the digest of what came back."""

    __tablename__ = "fetched_url"

    url: Mapped[str] = mapped_column(String(2000), primary_key=True)
    etag: Mapped[str | None] = mapped_column(String(500), default=None)
    last_modified: Mapped[str | None] = mapped_column(String(100), default=None)
    sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    # For a page: the address of the document it led to (itself when the page is the report).
    document_url: Mapped[str | None] = mapped_column(Text, default=None)
    report_id: Mapped[int | None] = mapped_column(
        ForeignKey("report.id", ondelete="SET NULL"), default=None
    )
    outcome: Mapped[str] = mapped_column(String(16))  # stored, unchanged, failed
    detail: Mapped[str] = mapped_column(Text, default="")
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DocumentRow(NamedTuple):
    """A new document: the `document` columns a write sets, in order."""

    sha256: str
    media_type: str
    filename: str | None
    size: int
    content: bytes


class ReportRow(NamedTuple):
    """A new report: the `report` columns a write sets, in order."""

    agency_id: int
    document_id: int
    year: int
    format: str
    period_start: date | None
    period_end: date | None
    title: str | None
    publisher: str | None
    contact_phone: str | None
    source_url: str | None
    revision: int
    is_current: bool
    parser_version: str
    warnings: list[str]
    region_hints: dict[str, Any]
    checks_passed: int
    checks_failed: int
    checks_not_assessable: int
    synthetic: bool
    provenance: dict[str, str | None] | None = None


class Section(Base):
    __tablename__ = "section"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("report.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    key: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)


class SectionRow(NamedTuple):
    """A section: the `section` columns after `report_id`, in order."""

    number: int
    key: str
    title: str
    text: str


class ReportTable(Base):
    """One printed table of a report: its cells in catalog order, packed (app/cells.py says how).

    A row per report and table rather than per cell: at ~200 cells a report, PostgreSQL's
    per-row and per-index-entry overhead alone outweighed the data.
    """

    __tablename__ = "report_table"
    __table_args__ = ({"sqlite_with_rowid": False},)

    report_id: Mapped[int] = mapped_column(
        ForeignKey("report.id", ondelete="CASCADE"), primary_key=True
    )
    # The part of the report that prints the table: 2 proactive, 3 requests, 4 reviews.
    table_code: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    unreadable: Mapped[int] = mapped_column(SmallInteger, default=0)
    statuses: Mapped[bytes] = mapped_column(LargeBinary)
    cell_values: Mapped[bytes] = mapped_column(LargeBinary)
    texts: Mapped[str | None] = mapped_column(Text, default=None)


class CellRow(NamedTuple):
    """A cell, as stored in a `report_table` row (app/cells.py) and served. It reads like a
    parsed cell, so the checks take it as it is. `value` is a double: exact for counts, and
    for amounts every decimal of up to 15 significant digits round-trips."""

    table: str
    row: str
    col: str
    value: float | None
    raw: str
    status: str
    unit: str | None


class ReportCheck(Base):
    """One arithmetic rule applied to one column or row of a report's table."""

    __tablename__ = "report_check"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("report.id", ondelete="CASCADE"), primary_key=True
    )
    rule: Mapped[str] = mapped_column(String(40), primary_key=True)
    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    table_key: Mapped[str] = mapped_column(String(16))
    result: Mapped[str] = mapped_column(String(16))
    left: Mapped[float | None] = mapped_column(Double, default=None)
    right: Mapped[float | None] = mapped_column(Double, default=None)
    difference: Mapped[float | None] = mapped_column(Double, default=None)
    cells: Mapped[list[str]] = mapped_column(JSON, default=list)
    message: Mapped[str] = mapped_column(Text, default="")


class CheckRow(NamedTuple):
    """A check: the `report_check` columns after `report_id`, in order (`table` is `table_key`)."""

    rule: str
    scope: str
    table: str
    result: str
    left: float | None
    right: float | None
    difference: float | None
    cells: str  # the JSON column as text: a driver-level write does not encode it
    message: str


class ReportFlag(Base):
    """A plausibility flag of a current report against its agency's current report of the year
    before (app/flags.py): kept current on every write to either, never a correction."""

    __tablename__ = "report_flag"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("report.id", ondelete="CASCADE"), primary_key=True
    )
    rule: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)
    cell_key: Mapped[str] = mapped_column(String(96), primary_key=True)
    previous_report_id: Mapped[int] = mapped_column(
        ForeignKey("report.id", ondelete="CASCADE"), index=True
    )
    expected: Mapped[float] = mapped_column(Double)
    found: Mapped[float] = mapped_column(Double)
    sources: Mapped[list[str]] = mapped_column(JSON, default=list)
    message: Mapped[str] = mapped_column(Text, default="")


def column_names(model: type[Base]) -> tuple[str, ...]:
    """The table's columns in order: the order of its row layout, after any `report_id`."""
    return tuple(column.name for column in model.__table__.columns)


class DataVersion(Base):
    """One row counting writes, so reads can answer If-None-Match without running a query."""

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


def bump_data_version(session: Session) -> None:
    session.execute(update(DataVersion).values(version=DataVersion.version + 1))


# Rollups: sums kept current on every write so that stats answer without reading every cell.
# Codes that do not apply (no city above a county under a province, an unplaced agency) are
# stored as "" rather than NULL so they can take part in the primary keys.


class RollupReport(Base):
    """A current report as the rollups count it: the placement it was counted under.

    Keeping what was counted lets a later write subtract exactly that, even after the agency
    has moved or changed kind.
    """

    __tablename__ = "rollup_report"
    __table_args__ = (Index("ix_rollup_report_agency_id_year", "agency_id", "year"),)

    report_id: Mapped[int] = mapped_column(
        ForeignKey("report.id", ondelete="CASCADE"), primary_key=True
    )
    agency_id: Mapped[int] = mapped_column(Integer)
    year: Mapped[int] = mapped_column(SmallInteger)
    synthetic: Mapped[bool] = mapped_column(Boolean)
    format: Mapped[str] = mapped_column(String(4))
    agency_kind: Mapped[str] = mapped_column(String(32))
    province_code: Mapped[str] = mapped_column(String(12))
    city_code: Mapped[str] = mapped_column(String(12))
    county_code: Mapped[str] = mapped_column(String(12))
    has_failures: Mapped[bool] = mapped_column(Boolean)


class RollupKey:
    """The columns that key a rollup group: its grain, then what the group is made of.

    `grain` says which codes are kept: "county" keeps the agency's full placement, "city" drops
    the county, "province" keeps only the province, "country" none.
    """

    # SQLAlchemy puts a mixin's columns after the table's own; these come first, in this order.
    grain: Mapped[str] = mapped_column(String(8), primary_key=True, sort_order=-1)
    synthetic: Mapped[bool] = mapped_column(Boolean, primary_key=True, sort_order=-1)
    province_code: Mapped[str] = mapped_column(String(12), primary_key=True, sort_order=-1)
    city_code: Mapped[str] = mapped_column(String(12), primary_key=True, sort_order=-1)
    county_code: Mapped[str] = mapped_column(String(12), primary_key=True, sort_order=-1)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True, sort_order=-1)
    agency_kind: Mapped[str] = mapped_column(String(32), primary_key=True, sort_order=-1)
    format: Mapped[str] = mapped_column(String(4), primary_key=True, sort_order=-1)


class CellRollup(RollupKey, Base):
    """Per metric, the sum of its values over current reports, at three geographic grains:
    city, province and country (questions about counties read the cells instead).

    Ratio metrics store their numerator in `value_sum` and denominator in `denominator_sum`,
    over complete reports only.
    """

    __tablename__ = "cell_rollup"
    __table_args__ = ({"sqlite_with_rowid": False},)

    # The primary key is (metric, grain, …): the metric comes before the rollup key.
    metric: Mapped[str] = mapped_column(String(96), primary_key=True, sort_order=-2)
    value_sum: Mapped[float] = mapped_column(Double)
    denominator_sum: Mapped[float | None] = mapped_column(Double, default=None)
    reports_with_value: Mapped[int] = mapped_column(Integer)


class ReportRollup(RollupKey, Base):
    """How many current reports, and how many with failing checks, per group, at four
    geographic grains: county, city, province and country."""

    __tablename__ = "report_rollup"
    __table_args__ = ({"sqlite_with_rowid": False},)

    reports: Mapped[int] = mapped_column(Integer)
    reports_failing: Mapped[int] = mapped_column(Integer)


class AgencyRollupBlock(Base):
    """The current reports of one year, city and synthetic flag, as the agency rollup counts
    them: per report (in one order, kept by every metric's row) its id, its agency and an index
    into `labels`, the distinct (county_code, agency_kind, format, has_failures) of the block.

    `report_ids` and `agency_ids` are packed little-endian int32, `entry_labels` uint16;
    `labels` is every label's four fields, tab-separated one after the other (has_failures
    "0" or "1"): reading many blocks' labels is then one split, where JSON took longer than
    the rest of a ranking.
    """

    __tablename__ = "agency_rollup_block"

    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    province_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    city_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    synthetic: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    report_ids: Mapped[bytes] = mapped_column(LargeBinary)
    agency_ids: Mapped[bytes] = mapped_column(LargeBinary)
    entry_labels: Mapped[bytes] = mapped_column(LargeBinary)
    labels: Mapped[str] = mapped_column(Text)


class AgencyRollup(Base):
    """One metric's values for the reports of a block, in the block's order: packed
    little-endian float64, NaN where a report gave none; for a rate the numerators, with the
    denominators beside them."""

    __tablename__ = "agency_rollup"
    # Block first: a write replaces a block's rows, and a question reads, block by block, the
    # rows of its metrics.
    __table_args__ = ({"sqlite_with_rowid": False},)

    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    province_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    city_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    synthetic: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    metric: Mapped[str] = mapped_column(String(96), primary_key=True)
    entry_values: Mapped[bytes] = mapped_column(LargeBinary)
    entry_denominators: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
